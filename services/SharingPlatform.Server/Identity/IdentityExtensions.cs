using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Identity;

public static class IdentityExtensions
{
    /// <summary>
    /// The OpenIddict token service (client credentials only, private_key_jwt by default) and the validation
    /// of its access tokens for the gRPC API.
    /// </summary>
    public static WebApplicationBuilder AddIdentityServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdentityServerOptions>().BindConfiguration(IdentityServerOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var identity = builder.Configuration.GetSection(IdentityServerOptions.Section).Get<IdentityServerOptions>() ?? new IdentityServerOptions();
        var endpoints = builder.Configuration.GetSection(EndpointOptions.Section).Get<EndpointOptions>() ?? new EndpointOptions();
        var issuer = Issuer(identity, endpoints);
        if (issuer.Scheme != Uri.UriSchemeHttps && !EndpointRules.IsLoopback(issuer.Host))
        {
            // Clients send their assertions wherever discovery points; never advertise a cleartext endpoint off this machine.
            throw new InvalidOperationException("Identity:Issuer must be https unless it is a loopback address.");
        }

        if (identity.AllowClientSecrets && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException("Identity:AllowClientSecrets is for development only; set ASPNETCORE_ENVIRONMENT=Development or turn it off.");
        }
        builder.Services.AddSingleton(new KeyRing(KeyDirectoryOf(builder)));
        builder.Services.AddSingleton(services => services.GetRequiredService<KeyRing>().Keys);
        // The keys are known only once start-up has checked the database (a missing key is created at a first start
        // alone), so they reach OpenIddict through its options, which are first read when the host starts.
        builder.Services.AddOptions<OpenIddictServerOptions>().Configure<KeyRing>((options, ring) =>
        {
            // OpenIddict signs with the first credentials and validates (and publishes in the JWKS) with all of them:
            // the current key first, then the staged and retired ones, which hold no private half and never sign.
            options.SigningCredentials.Add(new SigningCredentials(ring.Keys.Signing, SecurityAlgorithms.EcdsaSha256));
            options.SigningCredentials.AddRange(ring.Keys.SigningValidationOnly.Select(key => new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256)));
            options.EncryptionCredentials.Add(new EncryptingCredentials(ring.Keys.Encryption, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        });
        builder.Services.AddOpenIddict()
            // Applications (client credentials and public keys) live in the platform database.
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<SharingDbContext>())
            .AddServer(server =>
            {
                server.SetIssuer(issuer);
                server.SetTokenEndpointUris(TokenEndpoint.Path.TrimStart('/'));
                // Machines only: no users, no browser flows, no refresh tokens.
                server.AllowClientCredentialsFlow();
                server.SetAccessTokenLifetime(identity.AccessTokenLifetime);
                // Signed, not encrypted: tokens hold only client id, tenant slug and roles, and any replica or a
                // separate API process can validate them from the published JWKS without holding a secret.
                server.DisableAccessTokenEncryption();
                // Client status is read from the database on every call, so stored token entries would add a
                // write per token and nothing else.
                server.DisableTokenStorage();
                // Client assertions: shape, audience and times first, then OpenIddict's signature check, then replay.
                server.AddEventHandler(ClientAssertionRules.Descriptor);
                server.AddEventHandler(ClientAssertionReplayGuard.Descriptor);
                server.AddEventHandler(AssertionKey.Descriptor);
                server.AddEventHandler(TokenAudit.Descriptor);
                server.AddEventHandler(TokenRefusalStatus.Descriptor);
                server.AddEventHandler(DiscoveryMetadata.Descriptor);

                var aspNetCore = server.UseAspNetCore().EnableTokenEndpointPassthrough();
                if (EndpointRules.AllLoopbackCleartext(endpoints))
                {
                    // Plain HTTP is accepted only when every listener is on loopback (EndpointRules refuses the rest).
                    aspNetCore.DisableTransportSecurityRequirement();
                }

                if (!identity.AllowClientSecrets)
                {
                    // After UseAspNetCore, which adds client_secret_basic: with secrets off OpenIddict itself refuses
                    // client_secret_post and _basic, and discovery offers private_key_jwt alone.
                    server.Configure(options => options.ClientAuthenticationMethods.RemoveWhere(m => m.StartsWith("client_secret_", StringComparison.Ordinal)));
                }
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.AddAudiences(IdentityServerOptions.Audience);
                validation.UseAspNetCore();
            });

        // OpenIddict sorts the signing credentials when it post-configures its options, and ranks EC keys all equal;
        // List.Sort leaves equal items in place only in short lists. Registered after AddServer, this runs after that
        // sort and puts the current key back in front, as the one that signs, however many keys are accepted.
        builder.Services.AddOptions<OpenIddictServerOptions>().PostConfigure<KeyRing>((options, ring) =>
        {
            var current = options.SigningCredentials.Single(c => ReferenceEquals(c.Key, ring.Keys.Signing));
            options.SigningCredentials.Remove(current);
            options.SigningCredentials.Insert(0, current);
        });
        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>The absolute key directory: <c>Identity:KeyDirectory</c>, or <c>keys</c> under the data directory.</summary>
    public static string KeyDirectoryOf(IHostApplicationBuilder builder) =>
        builder.Configuration.GetSection(IdentityServerOptions.Section).Get<IdentityServerOptions>()?.KeyDirectory is { Length: > 0 } dir
            ? Path.GetFullPath(dir, builder.Environment.ContentRootPath)
            : Path.Combine(PlatformExtensions.DataDirectoryOf(builder), "keys");

    public static Uri Issuer(IdentityServerOptions identity, EndpointOptions endpoints)
    {
        var issuer = identity.Issuer is { Length: > 0 } configured ? configured : endpoints.IdentityUrl;
        return new Uri(issuer.EndsWith('/') ? issuer : issuer + "/", UriKind.Absolute);
    }
}
