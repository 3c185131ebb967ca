using System.Text;
using Ferry.Core.Errors;
using Ferry.Execution.Realtime;

namespace Ferry.Execution.Tests.Realtime;

/// <summary>
/// The string check on hand-written ModelProto bytes: where strings may flow (subgraphs, functions, node order,
/// a field given twice) and bytes that are not protobuf, which must end in a 400, never a crash or a hang.
/// </summary>
public sealed class StringGuardTests
{
    private const int Float = 1;
    private const int Text = 8;

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "a number cut short", [0x3A, 0x80] },
        { "a field longer than the bytes left", [0x3A, 0x05, 0x08] },
        { "a field longer than the bytes left", [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F] },
        { "wire type 3", [0x3B] },
        { "a field numbered out of range", [0x02, 0x00] },
        { "a number longer than 10 bytes", [0x08, .. Enumerable.Repeat((byte)0xFF, 11)] },
        { "a fixed-size field cut short", [0x09, 1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Check_MalformedBytes_AreInvalidData(string reason, byte[] bytes)
    {
        var error = Assert.Throws<InvalidDataException>(() => StringGuard.Check(bytes));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_GraphsNestedAThousandDeep_AreInvalidDataNotAStackOverflow()
    {
        var graph = Graph([], [], []);
        for (var i = 0; i < 1000; i++)
        {
            graph = Graph([Node("If", ["c"], ["y"], attributes: [Concat(Delimited(1, Utf8("then_branch")), Delimited(6, graph))])], [Value("c", 9)], ["y"]);
        }

        var error = Assert.Throws<InvalidDataException>(() => StringGuard.Check(Model(graph)));
        Assert.Contains("graphs nested deeper than 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TypesNestedAThousandDeep_AreInvalidData()
    {
        var type = Delimited(1, Number(1, Float));
        for (var i = 0; i < 1000; i++)
        {
            type = Delimited(4, Delimited(1, type)); // a sequence of it
        }

        var input = Delimited(11, [.. Delimited(1, Utf8("X")), .. Delimited(2, type)]);
        var error = Assert.Throws<InvalidDataException>(() => StringGuard.Check(Model(input)));
        Assert.Contains("types nested deeper than 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MalformedProtobuf_Is400LikeAnUnloadableModel()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x3A, 0x05, 0x08]);
            var error = Assert.Throws<FerryException>(() => OnnxModel.Load(path, null));
            Assert.Equal(FerryErrorKind.BadRequest, error.Kind);
            Assert.StartsWith("The model is not an ONNX model Ferry can load (its protobuf is malformed", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Check_StringsThroughReadersOnly_Passes()
    {
        StringGuard.Check(Model(Graph(
            [
                Node("Reshape", ["text", "shape"], ["flat"]),
                Node("Equal", ["flat", "flat"], ["same"]),
                Node("Cast", ["same"], ["n"], attributes: [Int("to", 7)]),
                Node("Tile", ["n", "n"], ["many"]),
                Node("LabelEncoder", ["flat"], ["code"], domain: "ai.onnx.ml", attributes: [Ints("values_int64s", 1)]),
                Node("Add", ["code", "many"], ["y"]),
                Node("LinearClassifier", ["x"], ["label", "scores"], domain: "ai.onnx.ml", attributes: [Strings("classlabels_strings", "a")]),
                Node("Tile", ["scores", "n"], ["z"]),
            ],
            [Value("text", Text), Value("shape", 7), Value("x", Float)],
            ["y", "label", "z"])));
    }

    [Fact]
    public void Check_ClassifierStringLabelsTiled_IsRefusedNamingTheNode()
    {
        var error = Refused(Graph(
            [
                Node("LinearClassifier", ["x"], ["label", "scores"], domain: "ai.onnx.ml", attributes: [Strings("classlabels_strings", "a")]),
                Node("Tile", ["label", "r"], ["y"], name: "bomb"),
            ],
            [Value("x", Float), Value("r", 7)],
            ["y"]));
        Assert.Contains("node 'bomb' (Tile) reads 'label', which may hold strings, and Tile can write more strings than it reads", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NumbersCastToStringsThenConcatenated_IsRefusedNamingTheIndex()
    {
        var error = Refused(Graph([Node("Cast", ["x"], ["s"], attributes: [Int("to", Text)]), Node("Concat", ["s", "s"], ["y"])], [Value("x", Float)], ["y"]));
        Assert.Contains("node #1 (Concat) reads 's'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NodeReadingAValueMadeLater_IsRefused()
    {
        var error = Refused(Graph([Node("Tile", ["s", "r"], ["y"]), Node("Constant", [], ["s"], attributes: [Strings("value_strings", "x")])], [Value("r", 7)], ["y"]));
        Assert.Contains("reads 's' before any node makes it", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_IfBranchTilingTheOuterGraphsString_IsRefusedNamingTheBranch()
    {
        var branch = Graph([Node("Tile", ["text", "r"], ["t"], name: "inner")], [], ["t"]);
        var error = Refused(Graph(
            [Node("If", ["c"], ["y"], name: "choose", attributes: [Concat(Delimited(1, Utf8("then_branch")), Delimited(6, branch))])],
            [Value("text", Text), Value("r", 7), Value("c", 9)],
            ["y"]));
        Assert.Contains("node 'inner' (Tile) in the then_branch of node 'choose' (If) reads 'text'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_IfBranchMakingStrings_TheIfsOutputMayHoldStrings()
    {
        var branch = Graph([Node("Constant", [], ["t"], attributes: [Strings("value_strings", "x")])], [], ["t"]);
        var error = Refused(Graph(
            [
                Node("If", ["c"], ["s"], attributes: [Concat(Delimited(1, Utf8("else_branch")), Delimited(6, branch))]),
                Node("Expand", ["s", "r"], ["y"]),
            ],
            [Value("c", 9), Value("r", 7)],
            ["y"]));
        Assert.Contains("(Expand) reads 's'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LoopBodyAnsweringStrings_IsRefused()
    {
        var body = Graph([Node("Constant", [], ["t"], attributes: [Strings("value_strings", "x")]), Node("Identity", ["c"], ["c2"])], [Value("i", 7), Value("c", 9)], ["c2", "t"]);
        var error = Refused(Graph(
            [Node("Loop", ["n", "c"], ["y"], name: "gather", attributes: [Concat(Delimited(1, Utf8("body")), Delimited(6, body))])],
            [Value("n", 7), Value("c", 9)],
            ["y"]));
        Assert.Contains("node 'gather' (Loop) answers its body's output 't', which may hold strings", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FunctionTilingItsArgument_IsRefusedOnlyWhenCalledWithStrings_AtTheCall()
    {
        var function = Concat(Delimited(1, Utf8("twice")), Delimited(10, Utf8("local")), Delimited(4, Utf8("a")), Delimited(4, Utf8("r")),
            Delimited(5, Utf8("b")), Delimited(7, Node("Tile", ["a", "r"], ["b"])));
        var call = Node("twice", ["x", "r"], ["y"], domain: "local");
        StringGuard.Check(Model(Graph([call], [Value("x", Float), Value("r", 7)], ["y"]), function));

        var error = Assert.Throws<FerryException>(() => StringGuard.Check(Model(Graph([call], [Value("x", Text), Value("r", 7)], ["y"]), function))).Message;
        Assert.Contains("node #0 (twice) reads 'x', which may hold strings, and Ferry does not know what local's twice does with them", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FunctionNamedLikeOnnxRuntimesOwnOperator_CannotVouchForIt()
    {
        // ONNX Runtime runs its own com.microsoft Tokenizer (strings out), not the model's function of that name (a number out).
        var shadow = Concat(Delimited(1, Utf8("Tokenizer")), Delimited(10, Utf8("com.microsoft")), Delimited(4, Utf8("t")), Delimited(5, Utf8("n")),
            Delimited(7, Node("Constant", [], ["n"], attributes: [Concat(Delimited(1, Utf8("value_float")), [0x15, 0, 0, 0x80, 0x3F])])));
        var error = Refused(Graph(
            [Node("Tokenizer", ["text"], ["tokens"], name: "shadow", domain: "com.microsoft"), Node("Expand", ["tokens", "shape"], ["y"])],
            [Value("text", Text), Value("shape", 7)],
            ["y"]), shadow);
        Assert.Contains("node 'shadow' (Tokenizer) reads 'text', which may hold strings", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CountsTheValuesThatMayCopyTheCallersStrings()
    {
        var budget = StringGuard.Check(Model(Graph(
            [Node("Identity", ["text"], ["a"]), Node("Transpose", ["a"], ["b"]), Node("Equal", ["a", "b"], ["same"]), Node("Identity", ["x"], ["y"])],
            [Value("text", Text), Value("x", Float)],
            ["a", "b", "same", "y"])));
        Assert.Equal(new StringBudget(0, 2, 0), budget);

        // The model's own strings (an initializer, a Constant) may be copied as the caller's are.
        var vocabulary = Delimited(5, Concat(Delimited(8, Utf8("vocab")), Number(2, Text), Delimited(6, Utf8("hello")), Delimited(6, Utf8("world"))));
        var withConstants = StringGuard.Check(Model(
        [
            .. Graph(
                [Node("Identity", ["vocab"], ["copy"]), Node("Constant", [], ["word"], attributes: [Strings("value_strings", "abc")])],
                [],
                ["copy", "word"]),
            .. vocabulary,
        ]));
        Assert.Equal(new StringBudget(0, 2, 13), withConstants);
    }

    [Fact]
    public void Check_OtherDomainReadingStrings_IsRefused()
    {
        var error = Refused(Graph([Node("Tokenizer", ["text"], ["y"], domain: "com.microsoft")], [Value("text", Text)], ["y"]));
        Assert.Contains("Ferry does not know what com.microsoft's Tokenizer does with them", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OtherDomainOnNumbers_Passes_ItsOutputsHoldNoStrings()
    {
        // An offline-optimized numeric model: ONNX Runtime's own fused operators, then standard ones.
        StringGuard.Check(Model(Graph(
            [Node("FusedMatMul", ["x", "w"], ["m"], domain: "com.microsoft"), Node("Tile", ["m", "r"], ["y"])],
            [Value("x", Float), Value("w", Float), Value("r", 7)],
            ["y"])));
    }

    [Fact]
    public void Check_ClassLabelLongerThanTheLimit_IsRefused_OneAtTheLimitPasses()
    {
        byte[] Classifier(int length) => Model(Graph(
            [Node("LinearClassifier", ["x"], ["label", "scores"], name: "clf", domain: "ai.onnx.ml", attributes: [Strings("classlabels_strings", new string('a', length))])],
            [Value("x", Float)],
            ["label", "scores"]));

        StringGuard.Check(Classifier(StringGuard.MaxAttributeText));
        var error = Assert.Throws<FerryException>(() => StringGuard.Check(Classifier(StringGuard.MaxAttributeText + 1))).Message;
        Assert.Contains($"node 'clf' (LinearClassifier) holds a string of {StringGuard.MaxAttributeText + 1} bytes in its attribute 'classlabels_strings'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_GraphGivenTwice_IsCheckedAsTheOneGraphProtobufMergesThemInto()
    {
        var first = Graph([], [Value("text", Text), Value("r", 7)], []);
        var second = Graph([Node("Tile", ["text", "r"], ["y"])], [], ["y"]);
        var error = Assert.Throws<FerryException>(() => StringGuard.Check([.. Model(first), .. Model(second)])).Message;
        Assert.Contains("(Tile) reads 'text'", error, StringComparison.Ordinal);
    }

    private static string Refused(byte[] graph, params byte[][] functions) => Assert.Throws<FerryException>(() => StringGuard.Check(Model(graph, functions))).Message;

    private static byte[] Model(byte[] graph, params byte[][] functions) => [.. Delimited(7, graph), .. functions.SelectMany(f => Delimited(25, f))];

    private static byte[] Graph(byte[][] nodes, byte[][] inputs, string[] outputs) =>
        [.. nodes.SelectMany(n => Delimited(1, n)), .. inputs.SelectMany(i => Delimited(11, i)), .. outputs.SelectMany(o => Delimited(12, Delimited(1, Utf8(o))))];

    private static byte[] Node(string op, string[] inputs, string[] outputs, string name = "", string domain = "", params byte[][] attributes) =>
    [
        .. inputs.SelectMany(i => Delimited(1, Utf8(i))), .. outputs.SelectMany(o => Delimited(2, Utf8(o))), .. Delimited(3, Utf8(name)),
        .. Delimited(4, Utf8(op)), .. Delimited(7, Utf8(domain)), .. attributes.SelectMany(a => Delimited(5, a)),
    ];

    /// <summary>A ValueInfoProto of a tensor of that element type.</summary>
    private static byte[] Value(string name, int elementType) => [.. Delimited(1, Utf8(name)), .. Delimited(2, Delimited(1, Number(1, elementType)))];

    private static byte[] Int(string name, long value) => [.. Delimited(1, Utf8(name)), .. Number(3, value)];

    private static byte[] Ints(string name, long value) => [.. Delimited(1, Utf8(name)), .. Number(8, value)];

    private static byte[] Strings(string name, string value) => [.. Delimited(1, Utf8(name)), .. Delimited(9, Utf8(value))];

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Delimited(int field, byte[] content) => [.. Varint((ulong)field << 3 | 2), .. Varint((ulong)content.Length), .. content];

    private static byte[] Number(int field, long value) => [.. Varint((ulong)field << 3), .. Varint((ulong)value)];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
