namespace Ferry.Core.Execution;

/// <summary>
/// An Azure ML online deployment: the scoring script's <c>init()</c> once per worker, with the
/// model's directory in <c>AZUREML_MODEL_DIR</c>; <c>run(raw_data)</c> per call, with the request
/// body as text, answering the value it returns.
/// </summary>
/// <param name="ScoringScript">The script's path in the working directory.</param>
/// <param name="ModelDirectory">The model's directory, relative to the working directory.</param>
public sealed record ScoringScriptEntry(string ScoringScript, string ModelDirectory) : ServiceEntry;
