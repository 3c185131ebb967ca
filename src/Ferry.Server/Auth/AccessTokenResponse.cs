using System.Text.Json.Serialization;

namespace Ferry.Server.Auth;

/// <summary>The contract's <c>AccessTokenResponse</c>, snake_case as ML Server and OAuth2 write it.</summary>
public sealed record AccessTokenResponse(
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("expires_on")] long ExpiresOn,
    [property: JsonPropertyName("refresh_token")] string RefreshToken);
