using Grpc.Core;
using SharingPlatform.Client;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Reads the audit through the AuditService as an auditor would.</summary>
public static class AuditReader
{
    public static async Task<List<AuditEvent>> AllAsync(SharingConnection auditor, ListAuditEventsRequest? filter = null)
    {
        var events = new List<AuditEvent>();
        var request = filter ?? new ListAuditEventsRequest();
        request.PageSize = 1000;
        do
        {
            var page = await auditor.Audit.ListAuditEventsAsync(request);
            events.AddRange(page.Events);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return events;
    }

    public static async Task<List<AuditEvent>> ExportAsync(SharingConnection auditor, long end = 0)
    {
        using var call = auditor.Audit.ExportAuditEvents(new ExportAuditEventsRequest { StartSequence = 1, EndSequence = end });
        var events = new List<AuditEvent>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            events.AddRange(message.Events);
        }

        return events;
    }
}
