namespace Ferry.Execution.Realtime;

/// <summary>
/// One call's rows, converted to each model input's element type, row-major: <c>Values[i]</c> holds <c>Rows × Widths[i]</c> values;
/// <paramref name="StringBytes"/>: the UTF-8 bytes of its strings.
/// </summary>
internal sealed record BoundCall(int Rows, Array[] Values, int[] Widths, long StringBytes);
