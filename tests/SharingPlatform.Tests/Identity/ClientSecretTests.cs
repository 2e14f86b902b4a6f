using System.Text.Json;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Identity;

/// <summary>A development setup that turns client secrets on.</summary>
public sealed class SecretsAllowedFixture : SqliteFixture
{
    protected override string EnvironmentName => "Development";

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Identity:AllowClientSecrets", "true")];
}

public sealed class ClientSecretTests(SecretsAllowedFixture fixture) : IClassFixture<SecretsAllowedFixture>
{
    [Fact]
    public async Task Client_secret_works_only_when_configured_and_only_with_the_right_secret()
    {
        var tenantClient = await fixture.CreateClientAsync();
        var clientId = await SecretClients.RegisterAsync(fixture, tenantClient.TenantSlug, "secret", "correct horse battery staple");

        var right = await Tokens.RequestAsync(fixture, Form(clientId, "correct horse battery staple"));
        var wrong = await Tokens.RequestAsync(fixture, Form(clientId, "wrong"));

        Assert.Equal(200, right.Status);
        Assert.True(right.Body.TryGetProperty("access_token", out _));
        Assert.Equal("invalid_client", wrong.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Discovery_offers_client_secrets_besides_private_key_jwt()
    {
        using var http = fixture.Factory.CreateClient();

        var document = JsonSerializer.Deserialize<JsonElement>(
            await http.GetStringAsync(new Uri(PlatformFixture.Issuer, ".well-known/openid-configuration"), TestContext.Current.CancellationToken));

        var methods = document.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains("private_key_jwt", methods);
        Assert.Contains("client_secret_post", methods);
    }

    private static Dictionary<string, string> Form(string clientId, string secret) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = clientId,
        ["client_secret"] = secret,
    };
}
