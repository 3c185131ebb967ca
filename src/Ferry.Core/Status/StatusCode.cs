namespace Ferry.Core.Status;

/// <summary>The contract's health values, in order of severity.</summary>
public enum StatusCode
{
    Pass = 0,
    Warn = 1,
    Fail = 2,
}
