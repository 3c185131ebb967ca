namespace Ferry.Core.Execution;

/// <summary>
/// What a pool worker runs for a service: <see cref="CodeEntry"/> (an ML Server web service) or
/// <see cref="ScoringScriptEntry"/> (an Azure ML online deployment); an <see cref="OnnxModelEntry"/>
/// (a realtime service, a no-code deployment) needs no worker. The runtime turns it into its
/// own language; Core holds no source text of any.
/// </summary>
public abstract record ServiceEntry;
