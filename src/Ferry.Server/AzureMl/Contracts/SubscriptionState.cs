using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A subscription's <c>state</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SubscriptionState>))]
public enum SubscriptionState
{
    Enabled,
    Warned,
    PastDue,
    Disabled,
    Deleted,
}
