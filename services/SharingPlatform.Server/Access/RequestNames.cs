using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Access;

/// <summary>Resource names in requests, parsed, or INVALID_ARGUMENT naming the field.</summary>
public static class RequestNames
{
    /// <summary>The slug of a <c>tenants/{tenant}</c> name.</summary>
    public static string Tenant(string name, string field)
    {
        if (!TenantNames.TryParse(name, out var slug))
        {
            RpcErrors.InvalidArgument(field, "INVALID_FORMAT", "Must be tenants/{tenant}.");
        }

        return slug;
    }

    /// <summary>The tenant slug and case id of a <c>tenants/{tenant}/cases/{case}</c> name.</summary>
    public static (string Slug, string CaseId) Case(string name, string field)
    {
        if (!CaseNames.TryParse(name, out var slug, out var caseId))
        {
            RpcErrors.InvalidArgument(field, "INVALID_FORMAT", "Must be tenants/{tenant}/cases/{case}.");
        }

        return (slug, caseId);
    }
}
