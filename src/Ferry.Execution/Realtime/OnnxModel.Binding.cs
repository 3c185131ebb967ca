using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ferry.Execution.Realtime;

/// <summary>A call's data.frame to the model's inputs, checked before it joins a batch: a bad call fails alone, with a 400 naming the column.</summary>
internal sealed partial class OnnxModel
{
    public BoundCall Bind(JsonObject frame)
    {
        if (frame.Count == 0)
        {
            throw FerryException.BadRequest($"inputData has no columns; the model's inputs are {DescribeInputs()}.");
        }

        var rows = frame.First().Value!.AsArray().Count; // equal lengths were checked with the data.frame type
        if (rows == 0)
        {
            throw FerryException.BadRequest("inputData has no rows.");
        }

        var values = new Array[inputs.Length];
        var widths = new int[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var columns = ColumnsOf(inputs[i], frame);
            widths[i] = columns.Count;
            values[i] = Convert(inputs[i], columns, rows);
        }

        var strings = 0L;
        foreach (var column in values.OfType<string[]>())
        {
            foreach (var text in column)
            {
                strings += Encoding.UTF8.GetByteCount(text);
            }
        }

        var call = new BoundCall(rows, values, widths, strings);
        if (StringBytes(call) > MaxStringBytes)
        {
            throw FerryException.BadRequest(
                $"inputData could make {StringBytes(call)} bytes of strings in this model ({rows} rows of up to {Strings.BytesPerRow} bytes of labels, "
                + $"and {Strings.Copies} values that may copy its {strings} bytes of strings and the model's {Strings.ConstantBytes}), more than the {MaxStringBytes} one run may make (Ferry:Realtime:MaxStringBytes).");
        }

        return call;
    }

    private List<KeyValuePair<string, JsonArray>> ColumnsOf(ModelInput input, JsonObject frame)
    {
        if (frame.TryGetPropertyValue(input.Name, out var column))
        {
            return input.Width > 1
                ? throw FerryException.BadRequest($"The model's input '{input.Name}' takes {input.Width} values per row; the column '{input.Name}' gives one.")
                : [new(input.Name, column!.AsArray())];
        }

        if (inputs.Length == 1 && input.IsNumeric)
        {
            var numeric = frame.Where(c => c.Value!.AsArray().All(v => v is null || v.GetValueKind() == JsonValueKind.Number))
                .Select(c => new KeyValuePair<string, JsonArray>(c.Key, c.Value!.AsArray())).ToList();
            if (numeric.Count == 0 || (input.Width > 0 && numeric.Count != input.Width) || (input.Rank == 1 && numeric.Count != 1))
            {
                var want = input.Rank == 1 ? 1 : input.Width;
                throw FerryException.BadRequest(
                    $"The model's input '{input.Name}' ({input.TypeName}) takes {(want > 0 ? want.ToString(System.Globalization.CultureInfo.InvariantCulture) : "one or more")} numeric column{(want == 1 ? "" : "s")} per row; "
                    + $"inputData has {numeric.Count}{(numeric.Count > 0 ? $" ({string.Join(", ", numeric.Select(c => $"'{c.Key}'"))})" : "")}.");
            }

            return numeric;
        }

        throw FerryException.BadRequest($"inputData has no column '{input.Name}'; the model's inputs are {DescribeInputs()}.");
    }

    private static Array Convert(ModelInput input, List<KeyValuePair<string, JsonArray>> columns, int rows)
    {
        var width = columns.Count;
        return input.Type switch
        {
            TensorElementType.Float => Fill(input, columns, rows, width, new float[rows * width], Single),
            TensorElementType.Double => Fill(input, columns, rows, width, new double[rows * width], Number),
            TensorElementType.Int64 => Fill(input, columns, rows, width, new long[rows * width], Whole),
            TensorElementType.Int32 => Fill(input, columns, rows, width, new int[rows * width], static v => checked((int)Whole(v))),
            TensorElementType.String => Fill(input, columns, rows, width, new string[rows * width], static v => v?.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new FormatException("a string")),
            _ => Fill(input, columns, rows, width, new bool[rows * width], static v => v?.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FormatException("true or false"),
            }),
        };
    }

    private static T[] Fill<T>(ModelInput input, List<KeyValuePair<string, JsonArray>> columns, int rows, int width, T[] target, Func<JsonNode?, T> convert)
    {
        for (var c = 0; c < width; c++)
        {
            var (name, column) = (columns[c].Key, columns[c].Value);
            for (var r = 0; r < rows; r++)
            {
                try
                {
                    target[(r * width) + c] = convert(column[r]);
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
                {
                    var what = e is FormatException ? e.Message : input.Type is TensorElementType.Int64 or TensorElementType.Int32 ? "a whole number in range" : "a number";
                    throw FerryException.BadRequest(
                        $"The column '{name}' must hold {what} for the model's input '{input.Name}' ({input.TypeName}); row {r + 1} holds {Describe(column[r])}.");
                }
            }
        }

        return target;
    }

    /// <summary>A number; a missing value (null) is NaN, as R and pandas have it.</summary>
    private static double Number(JsonNode? value) =>
        value is null ? double.NaN : value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>() : throw new FormatException("numbers");

    /// <summary>A number a float holds: past float's range it would silently become an infinity and score as nonsense.</summary>
    private static float Single(JsonNode? value)
    {
        var number = Number(value);
        return double.IsFinite(number) && !float.IsFinite((float)number) ? throw new FormatException("numbers within a float's range (±3.4e38)") : (float)number;
    }

    private static long Whole(JsonNode? value) =>
        value?.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out var whole) ? whole : throw new FormatException("whole numbers");

    private static string Describe(JsonNode? value) => value is null ? "null" : value.GetValueKind() switch
    {
        JsonValueKind.String => $"the string {value.ToJsonString()}",
        _ => value.ToJsonString(),
    };
}
