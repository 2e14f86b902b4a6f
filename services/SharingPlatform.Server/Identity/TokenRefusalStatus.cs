using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// Answers a refused client authentication with HTTP 400, as RFC 6749 section 5.2 allows, instead of OpenIddict's
/// 401 with <c>WWW-Authenticate: Basic</c>: that header offers HTTP Basic client secrets, which the platform refuses
/// unless secrets are on. A client that did send an Authorization header still gets the 401 the RFC then requires.
/// </summary>
public sealed class TokenRefusalStatus : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<TokenRefusalStatus>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachWwwAuthenticateHeader<ApplyTokenResponseContext>.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        var http = context.Transaction.GetHttpRequest()?.HttpContext;
        if (http is not null && context.Response.Error == Errors.InvalidClient && http.Request.Headers.Authorization.Count == 0)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            http.Response.Headers.WWWAuthenticate = default;
        }

        return ValueTask.CompletedTask;
    }
}
