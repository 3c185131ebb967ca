namespace Ferry.Server.WebServices;

/// <summary>The contract's <c>CreateOrUpdateServicePoolRequest</c>; any key casing binds.</summary>
public sealed record ServicePoolRequest(int? InitialPoolSize, int? MaxPoolSize);
