using Google.Protobuf.WellKnownTypes;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Tenants;

public static class TenantMapping
{
    public static Tenant ToProto(this TenantEntity tenant) => new()
    {
        Name = TenantNames.Format(tenant.Slug),
        DisplayName = tenant.DisplayName,
        Kind = tenant.Kind,
        State = tenant.Status == TenantStatus.Active ? TenantState.Active : TenantState.Suspended,
        CreateTime = Timestamp.FromDateTime(tenant.CreateTime),
    };

    public static Client ToProto(this ClientEntity client) => new()
    {
        Name = client.ClientId,
        Roles = { client.RoleSet.Order(StringComparer.Ordinal) },
        State = client.Status == ClientStatus.Active ? ClientState.Active : ClientState.Disabled,
        KeyId = client.KeyId,
        CreateTime = Timestamp.FromDateTime(client.CreateTime),
    };
}
