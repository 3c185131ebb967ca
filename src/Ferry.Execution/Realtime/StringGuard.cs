using System.Collections.Frozen;
using Ferry.Core.Errors;

namespace Ferry.Execution.Realtime;

/// <summary>
/// Refuses, when a model is loaded (so before a published model is stored), a model that could copy strings
/// without bound. A string tensor keeps its characters on the C++ heap, outside the arena that
/// <see cref="SharedArena"/> caps, so a Tile, Expand, Concat, Loop or StringConcat of a long string could
/// take the server's memory. Every value that may hold strings (the strings from the caller, the model's
/// constants, and what string-making nodes make) may only be read by nodes that write no more than they read.
/// The check is conservative: what it cannot tell (an operator of another domain, say) may hold strings.
/// </summary>
internal sealed class StringGuard
{
    /// <summary>What Ferry accepts, for the 400 that refuses a model.</summary>
    public const string Accepted =
        "a value that may hold strings may only be reshaped (Identity, Reshape, Squeeze, Unsqueeze, Flatten, Transpose), sliced (Slice), "
        + "measured (Shape, Size), compared (Equal, RegexFullMatch), normalized (StringNormalizer), cast (Cast), "
        + "encoded (LabelEncoder, CategoryMapper, OneHotEncoder, TfIdfVectorizer) or answered as an output";

    /// <summary>
    /// The longest text an ai.onnx.ml node's attribute may hold: its class labels, its categories and the values it maps to
    /// are copied once per row scored (outside the arena too), so their length times the rows is what a call can cost.
    /// </summary>
    public const int MaxAttributeText = 1024;

    /// <summary>Nodes looked at in all, a model's own functions called over and over included.</summary>
    private const int MaxWork = 4_000_000;

    /// <summary>Operators that read strings and write no more string bytes than they read (or none).</summary>
    private static readonly FrozenSet<string> StandardReaders = FrozenSet.Create(
        StringComparer.Ordinal,
        "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Transpose", "Slice", "Shape", "Size", "Equal", "Cast",
        "StringNormalizer", "RegexFullMatch", "TfIdfVectorizer");

    private static readonly FrozenSet<string> MlReaders = FrozenSet.Create(StringComparer.Ordinal, "LabelEncoder", "CategoryMapper", "OneHotEncoder");

    /// <summary>ai.onnx.ml operators whose outputs are strings only if their inputs are.</summary>
    private static readonly FrozenSet<string> MlTypePreserving = FrozenSet.Create(
        StringComparer.Ordinal,
        "ArrayFeatureExtractor", "Binarizer", "DictVectorizer", "FeatureVectorizer", "Imputer", "LinearRegressor", "Normalizer",
        "OneHotEncoder", "SVMRegressor", "Scaler", "TreeEnsembleRegressor", "TreeEnsemble");

    private readonly ILookup<(string Domain, string Name), OnnxFunction> functions;
    private int work;
    private long perRow;
    private int copies;
    private long constants;

    private StringGuard(IEnumerable<OnnxFunction> functions) => this.functions = functions.ToLookup(f => (f.Domain, f.Name));

    /// <summary>
    /// Checks the model's bytes: a 400 naming the node that could copy strings without bound, or an
    /// <see cref="InvalidDataException"/> for bytes that are not protobuf. Answers what the model's strings may cost a
    /// run, which <see cref="OnnxModel"/> holds runs to: the bytes one row may copy from the model (every text of each
    /// ai.onnx.ml node that makes strings: a row gets a label, a category or a map keyed by all labels), and how many
    /// values may copy the caller's strings.
    /// </summary>
    public static StringBudget Check(ReadOnlySpan<byte> model)
    {
        var (graph, functions) = OnnxGraph.ReadModel(model);
        var guard = new StringGuard(functions);
        guard.Graph(graph, null, untypedMayBeString: true, "", 1);
        return new StringBudget(guard.perRow, guard.copies, guard.constants);
    }

    /// <summary>Walks a graph's nodes in order; answers, for each of its outputs, whether it may hold strings.</summary>
    private bool[] Graph(OnnxGraph graph, Scope? outer, bool untypedMayBeString, string where, int depth)
    {
        var scope = new Scope(outer);
        constants += graph.InitializerText;
        foreach (var (name, mayBeString) in graph.Defined)
        {
            scope.Define(name, mayBeString ?? untypedMayBeString);
        }

        for (var index = 0; index < graph.Nodes.Count; index++)
        {
            Node(graph.Nodes[index], index, scope, graph.DeclaredStrings, where, depth);
        }

        return [.. graph.Outputs.Select(o => scope.MayBeString(o) ?? true)];
    }

    private void Node(OnnxNode node, int index, Scope scope, HashSet<string> declared, string where, int depth)
    {
        var label = $"node {Label(node, index)} ({node.OpType}){where}";
        if (++work > MaxWork)
        {
            throw Refused(label, $"is beyond the {MaxWork} nodes Ferry checks in a model");
        }

        if (depth > OnnxGraph.MaxDepth)
        {
            throw Refused(label, $"is nested in more than {OnnxGraph.MaxDepth} graphs and functions");
        }

        var reads = new bool[node.Inputs.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            if (node.Inputs[i].Length > 0)
            {
                reads[i] = scope.MayBeString(node.Inputs[i])
                    ?? throw Refused(label, $"reads '{Trim(node.Inputs[i])}' before any node makes it (ONNX lists a graph's nodes in the order they run)");
            }
        }

        var standard = node.Domain is "" or "ai.onnx";
        var ml = node.Domain == "ai.onnx.ml";
        if (node.Attributes.FirstOrDefault(a => a.LongestText > MaxAttributeText) is { } text)
        {
            throw Refused(label, $"holds a string of {text.LongestText} bytes in its attribute '{Trim(text.Name)}', and a row may get a copy of it; "
                + $"Ferry takes strings of at most {MaxAttributeText} bytes in operators' attributes (labels, categories, pad values)");
        }

        // A call of the model's own function is judged by its body and as the operator it is named (ONNX Runtime runs
        // its own operator of that name when it has one, not the model's function): a function cannot vouch for it.
        var called = functions[(node.Domain, node.OpType)];
        var first = Array.IndexOf(reads, true);
        if (first >= 0 && !(standard ? StandardReaders : ml ? MlReaders : FrozenSet<string>.Empty).Contains(node.OpType))
        {
            throw Refused(label, standard || ml
                ? $"reads '{Trim(node.Inputs[first])}', which may hold strings, and {node.OpType} can write more strings than it reads"
                : $"reads '{Trim(node.Inputs[first])}', which may hold strings, and Ferry does not know what {Trim(node.Domain)}'s {node.OpType} does with them");
        }

        var makes = Makes(node, reads, standard, ml);
        if (standard && node.OpType == "Constant")
        {
            constants += node.Attributes.Sum(a => a.TotalText);
        }
        if (ml && makes.Contains(true))
        {
            perRow += node.Attributes.Sum(a => a.TotalText);
        }

        foreach (var attribute in node.Attributes)
        {
            foreach (var body in attribute.Graphs)
            {
                var outputs = Graph(body, scope, untypedMayBeString: false, $" in the {Trim(attribute.Name)} of {label}", depth + 1);
                var strings = Array.IndexOf(outputs, true);
                if (strings >= 0 && !(standard && node.OpType == "If"))
                {
                    throw Refused(label, $"answers its {Trim(attribute.Name)}'s output '{Trim(body.Outputs[strings])}', which may hold strings, and may gather it once per iteration");
                }

                for (var o = 0; o < Math.Min(outputs.Length, makes.Length); o++)
                {
                    makes[o] |= outputs[o];
                }
            }
        }

        foreach (var function in called)
        {
            var outputs = Function(function, reads, $" in function {Trim(function.Name)} called by {label}", depth + 1);
            for (var o = 0; o < Math.Min(outputs.Length, makes.Length); o++)
            {
                makes[o] |= outputs[o];
            }
        }

        for (var o = 0; o < node.Outputs.Count; o++)
        {
            if (node.Outputs[o].Length > 0)
            {
                var strings = makes[o] || declared.Contains(node.Outputs[o]);
                copies += strings ? 1 : 0;
                scope.Define(node.Outputs[o], strings);
            }
        }
    }

    /// <summary>A model's own function, called with arguments that may hold strings or not: which of its outputs may.</summary>
    private bool[] Function(OnnxFunction function, bool[] arguments, string where, int depth)
    {
        var scope = new Scope(null);
        for (var i = 0; i < function.Inputs.Count; i++)
        {
            scope.Define(function.Inputs[i], i < arguments.Length && arguments[i]);
        }

        for (var index = 0; index < function.Nodes.Count; index++)
        {
            Node(function.Nodes[index], index, scope, [], where, depth);
        }

        return [.. function.Outputs.Select(o => scope.MayBeString(o) ?? true)];
    }

    /// <summary>
    /// Which of a node's outputs may hold strings, by its operator (the subgraphs and functions it runs aside).
    /// The standard operators that make strings from no strings were listed from onnx's schemas: Constant,
    /// Cast, CastLike, SequenceEmpty, Optional (and If, Loop and Scan through their bodies).
    /// </summary>
    private static bool[] Makes(OnnxNode node, bool[] reads, bool standard, bool ml)
    {
        var any = reads.Contains(true);
        var referred = node.Attributes.Any(a => a.IsReference);
        var strings = new bool[node.Outputs.Count];
        for (var o = 0; o < strings.Length; o++)
        {
            strings[o] = (standard, ml, node.OpType) switch
            {
                (true, _, "Constant") => node.Attributes.Any(a => a.HoldsText || a.HoldsStringValues || a.IsReference),
                (true, _, "Cast") => !node.Named("to").Any() || node.Named("to").Any(a => a.IsReference || a.Int is null or OnnxGraph.StringType),
                (true, _, "SequenceEmpty") => node.Named("dtype").Any(a => a.IsReference || a.Int is null or OnnxGraph.StringType),
                (true, _, "Optional") => true,
                (true, _, "Shape" or "Size" or "Equal" or "RegexFullMatch" or "TfIdfVectorizer") => false,
                (true, _, _) => any,
                (_, true, "LinearClassifier" or "SVMClassifier" or "TreeEnsembleClassifier") => o == 0 && StringLabels(node),
                (_, true, "ZipMap") => StringLabels(node),
                (_, true, "LabelEncoder") => referred || node.Named("values_strings").Any()
                    || node.Named("values_tensor").Any(a => a.HoldsStringValues)
                    || !node.Attributes.Any(a => a.Name is "values_int64s" or "values_floats" or "values_tensor"),
                (_, true, "OneHotEncoder") => false,
                (_, true, var op) when MlTypePreserving.Contains(op) => any,
                // Another domain's operator loads only if ONNX Runtime has it (no custom operator library is registered):
                // its own contrib operators, none of which makes strings from no strings. One that reads strings is refused above.
                (false, false, _) => any,
                _ => true, // CategoryMapper (strings from numbers), CastMap, and ai.onnx.ml operators Ferry does not know
            };
        }

        return strings;
    }

    /// <summary>A classifier or ZipMap labels with strings unless it has integer labels and no string ones.</summary>
    private static bool StringLabels(OnnxNode node) =>
        node.Attributes.Any(a => a.IsReference || a.Name == "classlabels_strings")
        || !node.Attributes.Any(a => a.Name is "classlabels_ints" or "classlabels_int64s");

    private static string Label(OnnxNode node, int index) => node.Name.Length > 0 ? $"'{Trim(node.Name)}'" : $"#{index}";

    /// <summary>A name from the model, short enough for a message.</summary>
    private static string Trim(string name) => name.Length > 100 ? name[..100] + "…" : name;

    private static FerryException Refused(string label, string why) => FerryException.BadRequest(
        $"The model's {label} {why}. Ferry refuses a model that could copy strings without bound, since a string's characters "
        + $"are not held to Ferry:Realtime:MaxMemoryBytes: {Accepted}.");

    /// <summary>The values a graph sees: its own, and its enclosing graphs' (a body reads its node's graph's values).</summary>
    private sealed class Scope(Scope? outer)
    {
        private readonly Dictionary<string, bool> values = new(StringComparer.Ordinal);
        private readonly Scope? outer = outer;

        public void Define(string name, bool mayBeString) => values[name] = mayBeString || (values.TryGetValue(name, out var before) && before);

        /// <summary>Whether the value may hold strings, in this graph or any around it; null when no graph defines it.</summary>
        public bool? MayBeString(string name)
        {
            bool? found = null;
            for (var scope = this; scope is not null; scope = scope.outer)
            {
                if (scope.values.TryGetValue(name, out var strings))
                {
                    found = (found ?? false) || strings;
                }
            }

            return found;
        }
    }
}

/// <summary>
/// What a model's strings may cost a run: <paramref name="BytesPerRow"/> of labels, categories and mapped values a row
/// may get, and <paramref name="Copies"/>, the values nodes make that may hold strings, each of which may copy the
/// caller's strings and the model's own (<paramref name="ConstantBytes"/>: its initializers' and Constants' strings;
/// <see cref="OnnxModel.StringBytes"/>).
/// </summary>
internal sealed record StringBudget(long BytesPerRow, int Copies, long ConstantBytes);
