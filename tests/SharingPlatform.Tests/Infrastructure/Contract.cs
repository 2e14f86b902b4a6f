using Google.Protobuf.Reflection;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Every service of the sharing.v1 contract, from the generated descriptors (so a new RPC is never missed).</summary>
public static class Contract
{
    public static IEnumerable<ServiceDescriptor> Services =>
        new[] { CasesReflection.Descriptor, TenantsReflection.Descriptor, SharingReflection.Descriptor }.SelectMany(f => f.Services);
}
