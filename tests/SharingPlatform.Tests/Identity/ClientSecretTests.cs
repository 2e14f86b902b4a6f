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

    private static Dictionary<string, string> Form(string clientId, string secret) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = clientId,
        ["client_secret"] = secret,
    };
}
