namespace Ferry.Execution.Realtime;

/// <summary>
/// The parts of an ONNX model that say where strings may flow: the graph's values and their types, its
/// nodes with their attributes and subgraphs, and the model's own functions. Read from the ModelProto's
/// bytes (field numbers from onnx.proto); a field seen twice merges as protobuf merges it (lists append,
/// the last scalar wins), so the graph read here is the graph ONNX Runtime reads.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>How deep graphs and types may nest; a real model nests a few levels (a Loop in an If, a sequence of maps).</summary>
    public const int MaxDepth = 32;

    public const int StringType = 8; // TensorProto.DataType.STRING

    public List<OnnxNode> Nodes { get; } = [];

    /// <summary>
    /// Graph inputs, initializers and sparse initializers: the values defined before any node runs, and
    /// whether they may hold strings (null: an input of no declared type, which a subgraph's inputs may be).
    /// </summary>
    public List<(string Name, bool? MayBeString)> Defined { get; } = [];

    public List<string> Outputs { get; } = [];

    /// <summary>Values (outputs and value_info) whose declared type involves strings.</summary>
    public HashSet<string> DeclaredStrings { get; } = new(StringComparer.Ordinal);

    /// <summary>The bytes of the strings its initializers hold (dense and sparse).</summary>
    public long InitializerText { get; private set; }

    /// <summary>Reads a ModelProto: its graph (field 7) and its functions (25); everything else is skipped.</summary>
    public static (OnnxGraph Graph, List<OnnxFunction> Functions) ReadModel(ReadOnlySpan<byte> bytes)
    {
        var graph = new OnnxGraph();
        var functions = new List<OnnxFunction>();
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 7 && wire == ProtoReader.Delimited)
            {
                graph.Read(reader.ReadBytes(), 1);
            }
            else if (field == 25 && wire == ProtoReader.Delimited)
            {
                functions.Add(OnnxFunction.Read(reader.ReadBytes()));
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (graph, functions);
    }

    /// <summary>Reads a GraphProto into this graph (again for each time the field occurs).</summary>
    public void Read(ReadOnlySpan<byte> bytes, int depth)
    {
        if (depth > MaxDepth)
        {
            throw ProtoReader.Malformed($"graphs nested deeper than {MaxDepth}");
        }

        var reader = new ProtoReader(bytes);
        while (reader.NextDelimited(out var field))
        {
            switch (field)
            {
                case 1:
                    Nodes.Add(OnnxNode.Read(reader.ReadBytes(), depth));
                    break;
                case 5:
                    var (name, type, _, text) = ReadTensor(reader.ReadBytes());
                    Defined.Add((name, type == StringType));
                    InitializerText += text;
                    break;
                case 15:
                    var (sparse, isString, sparseText) = ReadSparseTensor(reader.ReadBytes());
                    Defined.Add((sparse, isString));
                    InitializerText += sparseText;
                    break;
                case 11:
                    var (input, declared) = ReadValueInfo(reader.ReadBytes());
                    Defined.Add((input, declared));
                    break;
                case 12 or 13:
                    var (value, strings) = ReadValueInfo(reader.ReadBytes());
                    if (field == 12)
                    {
                        Outputs.Add(value);
                    }

                    if (strings is true)
                    {
                        DeclaredStrings.Add(value);
                    }

                    break;
                default:
                    reader.Skip(ProtoReader.Delimited);
                    break;
            }
        }
    }

    /// <summary>A TensorProto's name (8) and data_type (2), and the bytes of its longest string and of all (string_data, 6).</summary>
    public static (string Name, long DataType, int LongestText, long TotalText) ReadTensor(ReadOnlySpan<byte> bytes)
    {
        var (name, type, longest, total) = ("", 0L, 0, 0L);
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 8 && wire == ProtoReader.Delimited)
            {
                name = reader.ReadString();
            }
            else if (field == 2 && wire == ProtoReader.Varint)
            {
                type = (long)reader.ReadVarint();
            }
            else if (field == 6 && wire == ProtoReader.Delimited)
            {
                var length = reader.ReadBytes().Length;
                (longest, total) = (Math.Max(longest, length), total + length);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (name, type, longest, total);
    }

    /// <summary>A SparseTensorProto's values (1): its name, and whether they are strings.</summary>
    public static (string Name, bool IsString, long TotalText) ReadSparseTensor(ReadOnlySpan<byte> bytes)
    {
        var (name, isString, total) = ("", false, 0L);
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.Delimited)
            {
                var (values, type, _, text) = ReadTensor(reader.ReadBytes());
                (name, isString, total) = (values, isString || type == StringType, total + text);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (name, isString, total);
    }

    /// <summary>
    /// Whether a TypeProto involves strings: a tensor (1) or sparse tensor (8) of strings, or a sequence (4),
    /// map (5) or optional (9) of anything that does; an opaque type (7), or one Ferry does not know, might.
    /// </summary>
    public static bool TypeMayBeString(ReadOnlySpan<byte> bytes, int depth)
    {
        if (depth > MaxDepth)
        {
            throw ProtoReader.Malformed($"types nested deeper than {MaxDepth}");
        }

        var (strings, known) = (false, false);
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (wire != ProtoReader.Delimited || field == 6)
            {
                reader.Skip(wire); // 6: denotation
                continue;
            }

            known |= field is 1 or 4 or 5 or 8 or 9;
            strings |= field switch
            {
                1 or 8 => ElementIsString(reader.ReadBytes()),
                4 or 9 => ElementMayBeString(reader.ReadBytes(), depth),
                5 => MapMayBeString(reader.ReadBytes(), depth),
                _ => SkipUnknown(ref reader),
            };
        }

        return strings || !known;
    }

    private static bool SkipUnknown(ref ProtoReader reader)
    {
        reader.ReadBytes();
        return true;
    }

    /// <summary>TypeProto.Tensor / SparseTensor: elem_type (1).</summary>
    private static bool ElementIsString(ReadOnlySpan<byte> bytes)
    {
        var type = 0UL;
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.Varint)
            {
                type = reader.ReadVarint();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return type == StringType;
    }

    /// <summary>TypeProto.Sequence / Optional: elem_type (1), a TypeProto.</summary>
    private static bool ElementMayBeString(ReadOnlySpan<byte> bytes, int depth)
    {
        var strings = false;
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.Delimited)
            {
                strings |= TypeMayBeString(reader.ReadBytes(), depth + 1);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return strings;
    }

    /// <summary>TypeProto.Map: key_type (1), value_type (2).</summary>
    private static bool MapMayBeString(ReadOnlySpan<byte> bytes, int depth)
    {
        var strings = false;
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.Varint)
            {
                strings |= reader.ReadVarint() == StringType;
            }
            else if (field == 2 && wire == ProtoReader.Delimited)
            {
                strings |= TypeMayBeString(reader.ReadBytes(), depth + 1);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return strings;
    }

    /// <summary>A ValueInfoProto's name (1) and whether its type (2) involves strings (null: no type given).</summary>
    private static (string Name, bool? MayBeString) ReadValueInfo(ReadOnlySpan<byte> bytes)
    {
        var name = "";
        bool? strings = null;
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.Delimited)
            {
                name = reader.ReadString();
            }
            else if (field == 2 && wire == ProtoReader.Delimited)
            {
                strings = (strings ?? false) | TypeMayBeString(reader.ReadBytes(), 1);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (name, strings);
    }
}
