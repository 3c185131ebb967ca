namespace Ferry.Execution.Realtime;

/// <summary>A NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), domain (7).</summary>
internal sealed class OnnxNode
{
    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public string Name { get; private set; } = "";

    public string OpType { get; private set; } = "";

    public string Domain { get; private set; } = "";

    public List<OnnxAttribute> Attributes { get; } = [];

    /// <summary>Every attribute of that name: a name given twice is judged by all its values, whichever ONNX Runtime keeps.</summary>
    public IEnumerable<OnnxAttribute> Named(string name) => Attributes.Where(a => a.Name == name);

    public static OnnxNode Read(ReadOnlySpan<byte> bytes, int depth)
    {
        var node = new OnnxNode();
        var reader = new ProtoReader(bytes);
        while (reader.NextDelimited(out var field))
        {
            switch (field)
            {
                case 1:
                    node.Inputs.Add(reader.ReadString());
                    break;
                case 2:
                    node.Outputs.Add(reader.ReadString());
                    break;
                case 3:
                    node.Name = reader.ReadString();
                    break;
                case 4:
                    node.OpType = reader.ReadString();
                    break;
                case 5:
                    node.Attributes.Add(OnnxAttribute.Read(reader.ReadBytes(), depth));
                    break;
                case 7:
                    node.Domain = reader.ReadString();
                    break;
                default:
                    reader.Skip(ProtoReader.Delimited);
                    break;
            }
        }

        return node;
    }
}

/// <summary>
/// An AttributeProto, as far as strings go: its name (1), its integer (3), whether it holds text (s 4,
/// strings 9) or string tensors and types (t 5, tensors 10, sparse_tensor 22, sparse_tensors 23, tp 14,
/// type_protos 15), its subgraphs (g 6, graphs 11), and whether it refers to a function's attribute (ref_attr_name 21).
/// </summary>
internal sealed class OnnxAttribute
{
    public string Name { get; private set; } = "";

    public long? Int { get; private set; }

    public bool HoldsText { get; private set; }

    public bool HoldsStringValues { get; private set; }

    public bool IsReference { get; private set; }

    /// <summary>The bytes of its longest text (s, strings, a string tensor's elements), 0 when it holds none.</summary>
    public int LongestText { get; private set; }

    /// <summary>The bytes of all its texts.</summary>
    public long TotalText { get; private set; }

    public List<OnnxGraph> Graphs { get; } = [];

    public static OnnxAttribute Read(ReadOnlySpan<byte> bytes, int depth)
    {
        var attribute = new OnnxAttribute();
        OnnxGraph? single = null; // g is one graph however often it occurs: its occurrences merge
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, ProtoReader.Delimited):
                    attribute.Name = reader.ReadString();
                    break;
                case (3, ProtoReader.Varint):
                    attribute.Int = (long)reader.ReadVarint();
                    break;
                case (4 or 9, ProtoReader.Delimited):
                    var text = reader.ReadBytes().Length;
                    attribute.LongestText = Math.Max(attribute.LongestText, text);
                    attribute.TotalText += text;
                    attribute.HoldsText = true;
                    break;
                case (5 or 10, ProtoReader.Delimited):
                    var (_, type, longest, total) = OnnxGraph.ReadTensor(reader.ReadBytes());
                    attribute.HoldsStringValues |= type == OnnxGraph.StringType;
                    attribute.LongestText = Math.Max(attribute.LongestText, longest);
                    attribute.TotalText += total;
                    break;
                case (22 or 23, ProtoReader.Delimited):
                    attribute.HoldsStringValues |= OnnxGraph.ReadSparseTensor(reader.ReadBytes()).IsString;
                    break;
                case (14 or 15, ProtoReader.Delimited):
                    attribute.HoldsStringValues |= OnnxGraph.TypeMayBeString(reader.ReadBytes(), depth);
                    break;
                case (6, ProtoReader.Delimited):
                    if (single is null)
                    {
                        single = new OnnxGraph();
                        attribute.Graphs.Add(single);
                    }

                    single.Read(reader.ReadBytes(), depth + 1);
                    break;
                case (11, ProtoReader.Delimited):
                    var graph = new OnnxGraph();
                    graph.Read(reader.ReadBytes(), depth + 1);
                    attribute.Graphs.Add(graph);
                    break;
                case (21, ProtoReader.Delimited):
                    reader.ReadBytes();
                    attribute.IsReference = true;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return attribute;
    }
}

/// <summary>A FunctionProto of the model's own: name (1), input (4), output (5), node (7), domain (10).</summary>
internal sealed class OnnxFunction
{
    public string Name { get; private set; } = "";

    public string Domain { get; private set; } = "";

    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public List<OnnxNode> Nodes { get; } = [];

    public static OnnxFunction Read(ReadOnlySpan<byte> bytes)
    {
        var function = new OnnxFunction();
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, ProtoReader.Delimited):
                    function.Name = reader.ReadString();
                    break;
                case (4, ProtoReader.Delimited):
                    function.Inputs.Add(reader.ReadString());
                    break;
                case (5, ProtoReader.Delimited):
                    function.Outputs.Add(reader.ReadString());
                    break;
                case (7, ProtoReader.Delimited):
                    function.Nodes.Add(OnnxNode.Read(reader.ReadBytes(), 1));
                    break;
                case (10, ProtoReader.Delimited):
                    function.Domain = reader.ReadString();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return function;
    }
}
