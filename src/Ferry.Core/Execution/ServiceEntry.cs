namespace Ferry.Core.Execution;

/// <summary>
/// What a pool worker runs for a service: <see cref="CodeEntry"/> (an ML Server web service) or
/// <see cref="ScoringScriptEntry"/> (an Azure ML online deployment). The runtime turns it into its
/// own language; Core holds no source text of any.
/// </summary>
public abstract record ServiceEntry;
