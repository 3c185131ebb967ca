using Ferry.Core.Errors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ferry.Execution.Realtime;

/// <summary>
/// An ONNX model loaded once and shared by every call: binds a call's data.frame to the model's inputs
/// (by column name; a single tensor input takes the numeric columns in order), and scores many calls
/// in one run, answering each call's rows as a data.frame of the model's outputs.
/// </summary>
internal sealed partial class OnnxModel : IDisposable
{
    /// <summary>What Ferry scores, for the 400 that refuses anything else.</summary>
    public const string Formats =
        "Ferry scores ONNX models natively (the ai.onnx and ai.onnx.ml operator sets: linear models, SVMs, tree ensembles, scalers, ZipMap and the rest), "
        + "e.g. from skl2onnx, tf2onnx or onnxmltools";

    private readonly InferenceSession session;
    private readonly SessionOptions sessionOptions;
    private readonly RealtimeOptions limits;
    private readonly ModelInput[] inputs;
    private readonly string[] inputNames;
    private readonly string[] outputNames;

    private OnnxModel(InferenceSession session, SessionOptions sessionOptions, RealtimeOptions limits, ModelInput[] inputs, StringBudget strings)
    {
        this.session = session;
        Strings = strings;
        this.sessionOptions = sessionOptions;
        this.limits = limits;
        this.inputs = inputs;
        inputNames = [.. inputs.Select(i => i.Name)];
        outputNames = [.. session.OutputNames];
    }

    /// <summary>
    /// Loads <paramref name="path"/>; anything ONNX Runtime cannot load, a model that could copy strings without bound
    /// (<see cref="StringGuard"/>), or a model with inputs Ferry cannot bind, is a 400.
    /// A model loaded to score (<paramref name="limits"/> given) takes its memory from the arena all realtime models share.
    /// </summary>
    public static OnnxModel Load(string path, RealtimeOptions? limits)
    {
        using (var head = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[4];
            if (head.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("blob"u8))
            {
                throw FerryException.BadRequest(
                    $"The model is a RevoScale realtime model (rx_serialize_model's 'blob' format), which only Microsoft's runtime can score. {Formats}.");
            }
        }

        StringBudget strings;
        try
        {
            strings = StringGuard.Check(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw FerryException.BadRequest($"The model is not an ONNX model Ferry can load ({e.Message}). {Formats}.");
        }

        var options = new SessionOptions
        {
            IntraOpNumThreads = limits?.IntraOpThreads ?? 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };

        // Folding computes a model's constant subgraphs when it loads: on the heap, outside the arena and without a deadline
        // (a ConstantOfShape of a billion floats costs gigabytes and seconds at publish and at every load). Unfolded, they
        // are computed by each run, in the arena and under RunTimeout, like any other node.
        options.AddSessionConfigEntry("optimization.disable_specified_optimizers", "ConstantFolding");
        if (limits is not null)
        {
            SharedArena.Register(limits.MaxMemoryBytes);
            options.AddSessionConfigEntry("session.use_env_allocators", "1");
        }

        // Loaded from a folder of its own: a model naming external data finds no file beside it (another blob, say) to read.
        var alone = Directory.CreateTempSubdirectory("ferry-onnx-").FullName;
        InferenceSession session;
        try
        {
            var copy = Path.Combine(alone, "model.onnx");
            File.Copy(path, copy);
            session = new InferenceSession(copy, options);
        }
        catch (OnnxRuntimeException e)
        {
            options.Dispose();
            throw FerryException.BadRequest($"The model is not an ONNX model Ferry can load ({Reason(e.Message, alone)}). {Formats}.");
        }
        finally
        {
            Directory.Delete(alone, recursive: true);
        }

        try
        {
            CheckOutputs(session);
            return new OnnxModel(session, options, limits ?? new RealtimeOptions(), [.. session.InputNames.Select(name => InputOf(name, session.InputMetadata[name]))], strings);
        }
        catch
        {
            session.Dispose();
            options.Dispose();
            throw;
        }
    }

    public IReadOnlyList<string> OutputNames => outputNames;

    /// <summary>What the model's strings may cost a run (<see cref="StringGuard.Check"/>).</summary>
    public StringBudget Strings { get; }

    /// <summary>The most bytes of strings one run may make (<see cref="RealtimeOptions.MaxStringBytes"/>).</summary>
    public long MaxStringBytes => limits.MaxStringBytes;

    /// <summary>
    /// The most bytes of strings scoring <paramref name="call"/> may make in the model: its rows' labels, and each value that may hold
    /// strings copying all of the call's strings and the model's own (four times: lower- or upper-casing may widen a character's UTF-8).
    /// </summary>
    public long StringBytes(BoundCall call) => (call.Rows * Strings.BytesPerRow) + (4L * Strings.Copies * (call.StringBytes + Strings.ConstantBytes));

    public string DescribeInputs() => string.Join(", ", inputs.Select(i => $"'{i.Name}' ({i.TypeName}{(i.Width > 1 ? $", {i.Width} per row" : "")})"));

    public void Dispose()
    {
        session.Dispose();
        sessionOptions.Dispose();
    }

    /// <summary>ONNX Runtime's reason without the server's paths (the model's folder, and the temporary folder's root).</summary>
    private static string Reason(string message, string folder)
    {
        var reason = message.Replace(folder, "model", StringComparison.Ordinal);
        if (Path.GetTempPath().TrimEnd('/') is { Length: > 0 } temp)
        {
            reason = reason.Replace(temp, "", StringComparison.Ordinal);
        }

        reason = reason.Trim();
        return reason.Length > 300 ? reason[..300] + "…" : reason;
    }

    /// <summary>A model whose every call would fail (an output Ferry cannot answer) is refused when it is published.</summary>
    private static void CheckOutputs(InferenceSession session)
    {
        foreach (var (name, metadata) in session.OutputMetadata)
        {
            if (metadata.IsTensor && metadata.ElementDataType is not (TensorElementType.Float or TensorElementType.Double or TensorElementType.Int64
                or TensorElementType.Int32 or TensorElementType.String or TensorElementType.Bool))
            {
                throw FerryException.BadRequest(
                    $"The model's output '{name}' is a tensor of {metadata.ElementDataType}; Ferry answers tensors of float, double, int64, int32, string or bool, and ZipMap's maps.");
            }
        }
    }

    private static ModelInput InputOf(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor || metadata.ElementDataType is not (TensorElementType.Float or TensorElementType.Double or TensorElementType.Int64
            or TensorElementType.Int32 or TensorElementType.String or TensorElementType.Bool))
        {
            throw FerryException.BadRequest(
                $"The model's input '{name}' is a {metadata.OnnxValueType} of {metadata.ElementDataType}; Ferry binds data.frame columns to tensors of float, double, int64, int32, string or bool.");
        }

        var dims = metadata.Dimensions;
        if (dims.Length is 0 or > 2)
        {
            throw FerryException.BadRequest($"The model's input '{name}' has rank {dims.Length}; Ferry binds data.frame rows to tensors of rank 1 ([N]) or 2 ([N, columns]).");
        }

        return new ModelInput(name, metadata.ElementDataType, dims.Length, dims.Length == 1 ? 1 : Math.Max(dims[1], 0));
    }
}
