using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ferry.Execution.Realtime;

/// <summary>
/// Many calls in one run: their rows are stacked, scored, and cut apart again. Each output becomes
/// columns: a tensor [N] or [N, 1] one column named after it, [N, K] the columns <c>name.0 … name.K-1</c>,
/// a ZipMap's sequence of maps one column per key (<c>probability.I. setosa</c>); NaN and infinities are null.
/// </summary>
internal sealed partial class OnnxModel
{
    public JsonObject[] Score(IReadOnlyList<BoundCall> calls)
    {
        var total = 0;
        foreach (var call in calls)
        {
            total += call.Rows;
        }

        var values = new OrtValue[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                values[i] = Stack(inputs[i], i, calls, total);
            }

            using var results = RunWithin(values);
            var count = 0L;
            for (var o = 0; o < outputNames.Length; o++)
            {
                count += ValueCount(results[o]);
            }

            if (count > limits.MaxOutputValues)
            {
                throw new ModelRunFailedException(
                    $"The model answered {count} values for {total} rows, more than the {limits.MaxOutputValues} one run may answer (Ferry:Realtime:MaxOutputValues).");
            }

            var columns = new List<(string Name, JsonNode?[] Values)>();
            for (var o = 0; o < outputNames.Length; o++)
            {
                Columns(outputNames[o], results[o], total, columns);
            }

            var answers = new JsonObject[calls.Count];
            var offset = 0;
            for (var c = 0; c < calls.Count; c++)
            {
                var answer = new JsonObject();
                foreach (var (name, column) in columns)
                {
                    var slice = new JsonArray();
                    for (var r = offset; r < offset + calls[c].Rows; r++)
                    {
                        slice.Add(column[r]);
                    }

                    answer[name] = slice;
                }

                answers[c] = answer;
                offset += calls[c].Rows;
            }

            return answers;
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    /// <summary>
    /// One run under a deadline: past <see cref="RealtimeOptions.RunTimeout"/> ONNX Runtime is told to stop
    /// (it checks between nodes, a Loop's iterations included) and the run's calls fail.
    /// </summary>
    private IDisposableReadOnlyCollection<OrtValue> RunWithin(OrtValue[] values)
    {
        var run = new RunOptions();
        using var deadline = new Timer(static state => Stop((RunOptions)state!), run, limits.RunTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            return session.Run(run, inputNames, values, outputNames);
        }
        catch (OnnxRuntimeException) when (run.Terminate)
        {
            throw new ModelRunFailedException(
                $"The model ran longer than {limits.RunTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s (Ferry:Realtime:RunTimeout) and was stopped.");
        }
        finally
        {
            deadline.Dispose();
            lock (run)
            {
                run.Dispose(); // under the lock: a deadline firing now finds it closed
            }
        }
    }

    private static void Stop(RunOptions run)
    {
        lock (run)
        {
            if (!run.IsClosed)
            {
                run.Terminate = true;
            }
        }
    }

    /// <summary>How many values an output holds: a tensor's elements, a sequence's items.</summary>
    private static long ValueCount(OrtValue value) => value.OnnxType switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => value.GetTensorTypeAndShape().ElementCount,
        OnnxValueType.ONNX_TYPE_SEQUENCE => value.GetValueCount(),
        _ => 0,
    };

    /// <summary>Calls join one run only when each input has the same width in all of them (a free-width input may differ).</summary>
    public static bool SameShape(BoundCall a, BoundCall b) => a.Widths.AsSpan().SequenceEqual(b.Widths);

    private static OrtValue Stack(ModelInput input, int index, IReadOnlyList<BoundCall> calls, int total)
    {
        var width = calls[0].Widths[index];
        long[] shape = input.Rank == 1 ? [total] : [total, width];
        return input.Type switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Concat<float>(calls, index, total * width), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Concat<double>(calls, index, total * width), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Concat<long>(calls, index, total * width), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Concat<int>(calls, index, total * width), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(Concat<bool>(calls, index, total * width), shape),
            _ => OrtValue.CreateFromStringTensor(new DenseTensor<string>(Concat<string>(calls, index, total * width), [.. shape.Select(d => (int)d)])),
        };
    }

    private static T[] Concat<T>(IReadOnlyList<BoundCall> calls, int index, int length)
    {
        if (calls.Count == 1)
        {
            return (T[])calls[0].Values[index];
        }

        var all = new T[length];
        var at = 0;
        foreach (var call in calls)
        {
            var part = (T[])call.Values[index];
            part.CopyTo(all, at);
            at += part.Length;
        }

        return all;
    }

    private static void Columns(string name, OrtValue value, int rows, List<(string, JsonNode?[])> columns)
    {
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
        {
            var info = value.GetTensorTypeAndShape();
            var count = (int)info.ElementCount;
            if (rows > 0 && count % rows != 0)
            {
                throw new NotSupportedException($"The model's output '{name}' holds {count} values for {rows} rows; Ferry answers outputs with as many values for each row.");
            }

            var width = rows == 0 ? 0 : count / rows;
            var cells = info.ElementDataType switch
            {
                TensorElementType.Float => Cells(value.GetTensorDataAsSpan<float>(), static v => float.IsFinite(v) ? JsonValue.Create(v) : null),
                TensorElementType.Double => Cells(value.GetTensorDataAsSpan<double>(), static v => double.IsFinite(v) ? JsonValue.Create(v) : null),
                TensorElementType.Int64 => Cells(value.GetTensorDataAsSpan<long>(), static v => JsonValue.Create(v)),
                TensorElementType.Int32 => Cells(value.GetTensorDataAsSpan<int>(), static v => JsonValue.Create(v)),
                TensorElementType.Bool => Cells(value.GetTensorDataAsSpan<bool>(), static v => JsonValue.Create(v)),
                TensorElementType.String => [.. value.GetStringTensorAsArray().Select(s => (JsonNode?)JsonValue.Create(s))],
                var other => throw new NotSupportedException($"The model's output '{name}' is a tensor of {other}, which Ferry does not answer."),
            };
            for (var k = 0; k < width; k++)
            {
                var column = new JsonNode?[rows];
                for (var r = 0; r < rows; r++)
                {
                    column[r] = cells[(r * width) + k];
                }

                columns.Add((width == 1 ? name : $"{name}.{k.ToString(CultureInfo.InvariantCulture)}", column));
            }

            return;
        }

        if (value.OnnxType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            MapColumns(name, value, rows, columns);
            return;
        }

        throw new NotSupportedException($"The model's output '{name}' is a {value.OnnxType}, which Ferry does not answer.");
    }

    /// <summary>A sequence of one map per row (ZipMap): a column per key, in the first row's order.</summary>
    private static void MapColumns(string name, OrtValue sequence, int rows, List<(string, JsonNode?[])> columns)
    {
        var allocator = OrtAllocator.DefaultInstance;
        var byKey = new Dictionary<string, JsonNode?[]>();
        var count = Math.Min(sequence.GetValueCount(), rows);
        for (var r = 0; r < count; r++)
        {
            using var map = sequence.GetValue(r, allocator);
            using var keys = map.GetValue(0, allocator);
            using var values = map.GetValue(1, allocator);
            var names = keys.GetTensorTypeAndShape().ElementDataType == TensorElementType.String
                ? keys.GetStringTensorAsArray()
                : [.. keys.GetTensorDataAsSpan<long>().ToArray().Select(k => k.ToString(CultureInfo.InvariantCulture))];
            var cells = values.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double
                ? Cells(values.GetTensorDataAsSpan<double>(), static v => double.IsFinite(v) ? JsonValue.Create(v) : null)
                : Cells(values.GetTensorDataAsSpan<float>(), static v => float.IsFinite(v) ? JsonValue.Create(v) : null);
            for (var k = 0; k < names.Length; k++)
            {
                if (!byKey.TryGetValue(names[k], out var column))
                {
                    byKey[names[k]] = column = new JsonNode?[rows];
                    columns.Add(($"{name}.{names[k]}", column));
                }

                column[r] = cells[k];
            }
        }
    }

    private static JsonNode?[] Cells<T>(ReadOnlySpan<T> values, Func<T, JsonNode?> convert)
    {
        var cells = new JsonNode?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            cells[i] = convert(values[i]);
        }

        return cells;
    }
}
