using Duende.IdentityModel.Client;

namespace SharingPlatform.Client.Auth;

/// <summary>
/// Gets access tokens with the client credentials grant and private_key_jwt, caches one, and fetches the
/// next shortly before it expires. Safe to share between concurrent calls.
/// </summary>
public sealed class TokenSource(HttpClient http, Uri issuer, string clientId, ClientKey key, TimeProvider? time = null) : IDisposable
{
    /// <summary>A token is renewed when less than this remains of its lifetime.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(60);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private string? _token;
    private DateTimeOffset _expires;

    public Uri TokenEndpoint { get; } = new(issuer, "connect/token");

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        if (_token is { } cached && _time.GetUtcNow() < _expires - RenewBefore)
        {
            return cached;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } again && _time.GetUtcNow() < _expires - RenewBefore)
            {
                return again;
            }

            var response = await RequestAsync(cancellationToken);
            _token = response.AccessToken!;
            _expires = _time.GetUtcNow().AddSeconds(response.ExpiresIn);
            return _token;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>One token request, without caching; throws <see cref="TokenRequestException"/> when refused.</summary>
    public async Task<TokenResponse> RequestAsync(CancellationToken cancellationToken = default)
    {
        using var request = new ClientCredentialsTokenRequest
        {
            Address = TokenEndpoint.ToString(),
            ClientId = clientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = new Duende.IdentityModel.Client.ClientAssertion
            {
                Type = ClientAssertionJwt.AssertionType,
                Value = ClientAssertionJwt.Create(clientId, key, issuer.ToString(), _time),
            },
        };
        var response = await http.RequestClientCredentialsTokenAsync(request, cancellationToken);
        if (response.ErrorType is ResponseErrorType.Exception)
        {
            // Not a refusal: the identity server could not be reached.
            throw new HttpRequestException($"cannot reach the identity server at {TokenEndpoint}", response.Exception);
        }

        if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
        {
            throw new TokenRequestException(response.Error ?? "token_request_failed", response.ErrorDescription);
        }

        return response;
    }

    public void Dispose() => _lock.Dispose();
}
