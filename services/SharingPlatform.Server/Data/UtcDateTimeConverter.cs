using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SharingPlatform.Server.Data;

/// <summary>Stores <see cref="DateTime"/> as UTC and reads it back marked as UTC on every provider.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
