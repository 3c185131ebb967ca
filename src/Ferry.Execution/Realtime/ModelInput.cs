using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ferry.Execution.Realtime;

/// <summary>One input of a model: its name, element type, rank and the values it takes per row (0: any).</summary>
internal sealed record ModelInput(string Name, TensorElementType Type, int Rank, int Width)
{
    public bool IsNumeric => Type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Int64 or TensorElementType.Int32;

    public string TypeName => Type switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Int64 => "int64",
        TensorElementType.Int32 => "int32",
        TensorElementType.String => "string",
        TensorElementType.Bool => "bool",
        _ => Type.ToString(),
    };
}
