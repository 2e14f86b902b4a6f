IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL
BEGIN
    CREATE TABLE [__EFMigrationsHistory] (
        [MigrationId] nvarchar(150) NOT NULL,
        [ProductVersion] nvarchar(32) NOT NULL,
        CONSTRAINT [PK___EFMigrationsHistory] PRIMARY KEY ([MigrationId])
    );
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [OpenIddictApplications] (
        [Id] nvarchar(450) NOT NULL,
        [ApplicationType] nvarchar(50) NULL,
        [ClientId] nvarchar(100) NULL,
        [ClientSecret] nvarchar(max) NULL,
        [ClientType] nvarchar(50) NULL,
        [ConcurrencyToken] nvarchar(50) NULL,
        [ConsentType] nvarchar(50) NULL,
        [DisplayName] nvarchar(max) NULL,
        [DisplayNames] nvarchar(max) NULL,
        [JsonWebKeySet] nvarchar(max) NULL,
        [Permissions] nvarchar(max) NULL,
        [PostLogoutRedirectUris] nvarchar(max) NULL,
        [Properties] nvarchar(max) NULL,
        [RedirectUris] nvarchar(max) NULL,
        [Requirements] nvarchar(max) NULL,
        [Settings] nvarchar(max) NULL,
        CONSTRAINT [PK_OpenIddictApplications] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [OpenIddictScopes] (
        [Id] nvarchar(450) NOT NULL,
        [ConcurrencyToken] nvarchar(50) NULL,
        [Description] nvarchar(max) NULL,
        [Descriptions] nvarchar(max) NULL,
        [DisplayName] nvarchar(max) NULL,
        [DisplayNames] nvarchar(max) NULL,
        [Name] nvarchar(200) NULL,
        [Properties] nvarchar(max) NULL,
        [Resources] nvarchar(max) NULL,
        CONSTRAINT [PK_OpenIddictScopes] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [sequence_counters] (
        [Name] nvarchar(32) NOT NULL,
        [Value] bigint NOT NULL,
        CONSTRAINT [PK_sequence_counters] PRIMARY KEY ([Name])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [tenants] (
        [Id] bigint NOT NULL IDENTITY,
        [Slug] nvarchar(63) NOT NULL,
        [DisplayName] nvarchar(200) NOT NULL,
        [Kind] int NOT NULL,
        [Status] int NOT NULL,
        [CreateTime] datetime2 NOT NULL,
        CONSTRAINT [PK_tenants] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [used_client_assertions] (
        [ClientId] nvarchar(100) NOT NULL,
        [TokenId] nvarchar(200) NOT NULL,
        [ExpireTime] datetime2 NOT NULL,
        CONSTRAINT [PK_used_client_assertions] PRIMARY KEY ([ClientId], [TokenId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [OpenIddictAuthorizations] (
        [Id] nvarchar(450) NOT NULL,
        [ApplicationId] nvarchar(450) NULL,
        [ConcurrencyToken] nvarchar(50) NULL,
        [CreationDate] datetime2 NULL,
        [Properties] nvarchar(max) NULL,
        [Scopes] nvarchar(max) NULL,
        [Status] nvarchar(50) NULL,
        [Subject] nvarchar(400) NULL,
        [Type] nvarchar(50) NULL,
        CONSTRAINT [PK_OpenIddictAuthorizations] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_OpenIddictAuthorizations_OpenIddictApplications_ApplicationId] FOREIGN KEY ([ApplicationId]) REFERENCES [OpenIddictApplications] ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [cases] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] bigint NOT NULL,
        [CaseId] nvarchar(63) NOT NULL,
        [Seq] bigint NOT NULL,
        [Version] bigint NOT NULL,
        [Retracted] bit NOT NULL,
        [CreateTime] datetime2 NOT NULL,
        [UpdateTime] datetime2 NOT NULL,
        [Status] int NOT NULL,
        [Classification] int NOT NULL,
        [ConsentScope] int NOT NULL,
        [EventTypes] nvarchar(500) NOT NULL,
        [Regions] nvarchar(1100) NOT NULL,
        [Content] varbinary(max) NOT NULL,
        CONSTRAINT [PK_cases] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_cases_tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [clients] (
        [Id] bigint NOT NULL IDENTITY,
        [ClientId] nvarchar(100) NOT NULL,
        [TenantId] bigint NOT NULL,
        [Roles] nvarchar(200) NOT NULL,
        [Status] int NOT NULL,
        [CreateTime] datetime2 NOT NULL,
        CONSTRAINT [PK_clients] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_clients_tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [push_receipts] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] bigint NOT NULL,
        [RequestId] nvarchar(64) NOT NULL,
        [RequestHash] varbinary(max) NOT NULL,
        [Response] varbinary(max) NOT NULL,
        [CreateTime] datetime2 NOT NULL,
        CONSTRAINT [PK_push_receipts] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_push_receipts_tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE TABLE [OpenIddictTokens] (
        [Id] nvarchar(450) NOT NULL,
        [ApplicationId] nvarchar(450) NULL,
        [AuthorizationId] nvarchar(450) NULL,
        [ConcurrencyToken] nvarchar(50) NULL,
        [CreationDate] datetime2 NULL,
        [ExpirationDate] datetime2 NULL,
        [Payload] nvarchar(max) NULL,
        [Properties] nvarchar(max) NULL,
        [RedemptionDate] datetime2 NULL,
        [ReferenceId] nvarchar(100) NULL,
        [Status] nvarchar(50) NULL,
        [Subject] nvarchar(400) NULL,
        [Type] nvarchar(150) NULL,
        CONSTRAINT [PK_OpenIddictTokens] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_OpenIddictTokens_OpenIddictApplications_ApplicationId] FOREIGN KEY ([ApplicationId]) REFERENCES [OpenIddictApplications] ([Id]),
        CONSTRAINT [FK_OpenIddictTokens_OpenIddictAuthorizations_AuthorizationId] FOREIGN KEY ([AuthorizationId]) REFERENCES [OpenIddictAuthorizations] ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Name', N'Value') AND [object_id] = OBJECT_ID(N'[sequence_counters]'))
        SET IDENTITY_INSERT [sequence_counters] ON;
    EXEC(N'INSERT INTO [sequence_counters] ([Name], [Value])
    VALUES (N''changes'', CAST(0 AS bigint))');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Name', N'Value') AND [object_id] = OBJECT_ID(N'[sequence_counters]'))
        SET IDENTITY_INSERT [sequence_counters] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_cases_Seq] ON [cases] ([Seq]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_cases_TenantId_CaseId] ON [cases] ([TenantId], [CaseId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE INDEX [IX_cases_TenantId_Seq] ON [cases] ([TenantId], [Seq]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_clients_ClientId] ON [clients] ([ClientId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE INDEX [IX_clients_TenantId] ON [clients] ([TenantId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_OpenIddictApplications_ClientId] ON [OpenIddictApplications] ([ClientId]) WHERE [ClientId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE INDEX [IX_OpenIddictAuthorizations_ApplicationId_Status_Subject_Type] ON [OpenIddictAuthorizations] ([ApplicationId], [Status], [Subject], [Type]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_OpenIddictScopes_Name] ON [OpenIddictScopes] ([Name]) WHERE [Name] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE INDEX [IX_OpenIddictTokens_ApplicationId_Status_Subject_Type] ON [OpenIddictTokens] ([ApplicationId], [Status], [Subject], [Type]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE INDEX [IX_OpenIddictTokens_AuthorizationId] ON [OpenIddictTokens] ([AuthorizationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_OpenIddictTokens_ReferenceId] ON [OpenIddictTokens] ([ReferenceId]) WHERE [ReferenceId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE INDEX [IX_push_receipts_CreateTime] ON [push_receipts] ([CreateTime]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_push_receipts_TenantId_RequestId] ON [push_receipts] ([TenantId], [RequestId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_tenants_Slug] ON [tenants] ([Slug]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    CREATE INDEX [IX_used_client_assertions_ExpireTime] ON [used_client_assertions] ([ExpireTime]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123175204_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261123175204_Initial', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123182041_SharingAgreements'
)
BEGIN
    ALTER TABLE [clients] ADD [KeyId] nvarchar(100) NOT NULL DEFAULT N'';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123182041_SharingAgreements'
)
BEGIN
    CREATE TABLE [agreements] (
        [Id] bigint NOT NULL IDENTITY,
        [AgreementId] nvarchar(40) NOT NULL,
        [GrantorTenantId] bigint NOT NULL,
        [GranteeTenantId] bigint NOT NULL,
        [Purpose] int NOT NULL,
        [Fields] nvarchar(400) NOT NULL,
        [MaxClassification] int NOT NULL,
        [EventTypes] nvarchar(500) NOT NULL,
        [Statuses] nvarchar(500) NOT NULL,
        [Regions] nvarchar(1100) NOT NULL,
        [DatePrecision] int NOT NULL,
        [Linkage] bit NOT NULL,
        [AggregateOnly] bit NOT NULL,
        [MinCellSize] int NOT NULL,
        [ValidFrom] datetime2 NOT NULL,
        [ValidUntil] datetime2 NOT NULL,
        [CreateTime] datetime2 NOT NULL,
        [CreateSeq] bigint NOT NULL,
        [RevokeTime] datetime2 NULL,
        [RevokeSeq] bigint NULL,
        CONSTRAINT [PK_agreements] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_agreements_tenants_GranteeTenantId] FOREIGN KEY ([GranteeTenantId]) REFERENCES [tenants] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_agreements_tenants_GrantorTenantId] FOREIGN KEY ([GrantorTenantId]) REFERENCES [tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123182041_SharingAgreements'
)
BEGIN
    CREATE TABLE [case_revisions] (
        [CaseRowId] bigint NOT NULL,
        [Seq] bigint NOT NULL,
        [Retracted] bit NOT NULL,
        [Status] int NOT NULL,
        [Classification] int NOT NULL,
        [ConsentScope] int NOT NULL,
        [EventTypes] nvarchar(500) NOT NULL,
        [Regions] nvarchar(1100) NOT NULL,
        CONSTRAINT [PK_case_revisions] PRIMARY KEY ([CaseRowId], [Seq]),
        CONSTRAINT [FK_case_revisions_cases_CaseRowId] FOREIGN KEY ([CaseRowId]) REFERENCES [cases] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123182041_SharingAgreements'
)
BEGIN
    CREATE INDEX [IX_cases_TenantId_Id] ON [cases] ([TenantId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123182041_SharingAgreements'
)
BEGIN
    CREATE INDEX [IX_agreements_GranteeTenantId] ON [agreements] ([GranteeTenantId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123182041_SharingAgreements'
)
BEGIN
    CREATE UNIQUE INDEX [IX_agreements_GrantorTenantId_AgreementId] ON [agreements] ([GrantorTenantId], [AgreementId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123182041_SharingAgreements'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261123182041_SharingAgreements', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123185355_AuditLog'
)
BEGIN
    CREATE TABLE [audit_events] (
        [Seq] bigint NOT NULL,
        [Time] datetime2 NOT NULL,
        [ActorClient] nvarchar(100) NOT NULL,
        [ActorTenant] nvarchar(63) NOT NULL,
        [Action] nvarchar(100) NOT NULL,
        [Resources] nvarchar(max) NOT NULL,
        [Purpose] nvarchar(200) NOT NULL,
        [Outcome] nvarchar(64) NOT NULL,
        [RequestId] nvarchar(100) NOT NULL,
        [Tenants] nvarchar(2000) NOT NULL,
        [ContentDigest] varbinary(32) NOT NULL,
        [PreviousHash] varbinary(32) NOT NULL,
        [Hash] varbinary(32) NOT NULL,
        CONSTRAINT [PK_audit_events] PRIMARY KEY ([Seq])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123185355_AuditLog'
)
BEGIN
    CREATE TABLE [audit_head] (
        [Id] int NOT NULL,
        [Size] bigint NOT NULL,
        [Hash] varbinary(32) NOT NULL,
        CONSTRAINT [PK_audit_head] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123185355_AuditLog'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'Hash', N'Size') AND [object_id] = OBJECT_ID(N'[audit_head]'))
        SET IDENTITY_INSERT [audit_head] ON;
    EXEC(N'INSERT INTO [audit_head] ([Id], [Hash], [Size])
    VALUES (1, 0x0000000000000000000000000000000000000000000000000000000000000000, CAST(0 AS bigint))');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'Hash', N'Size') AND [object_id] = OBJECT_ID(N'[audit_head]'))
        SET IDENTITY_INSERT [audit_head] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123185355_AuditLog'
)
BEGIN
    CREATE INDEX [IX_audit_events_Time] ON [audit_events] ([Time]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123185355_AuditLog'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261123185355_AuditLog', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201193843_AuditSalt'
)
BEGIN
    ALTER TABLE [audit_events] ADD [Salt] varbinary(16) NOT NULL DEFAULT 0x;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201193843_AuditSalt'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201193843_AuditSalt', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201194536_PrivacyFixes'
)
BEGIN
    ALTER TABLE [cases] ADD [Etag] nvarchar(32) NOT NULL DEFAULT N'';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201194536_PrivacyFixes'
)
BEGIN
    UPDATE [cases] SET [Etag] = '"' + LOWER(CONVERT(varchar(24), CRYPT_GEN_RANDOM(12), 2)) + '"' WHERE [Etag] = '';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201194536_PrivacyFixes'
)
BEGIN
    UPDATE a SET a.[ClientId] = 'tenants/' + t.[Slug] + '/clients/' + c.[ClientId]
    FROM [OpenIddictApplications] a JOIN [clients] c ON c.[ClientId] = a.[ClientId] JOIN [tenants] t ON t.[Id] = c.[TenantId]
    WHERE a.[ClientId] NOT LIKE 'tenants/%' AND LEN('tenants/' + t.[Slug] + '/clients/' + c.[ClientId]) <= 100;
    UPDATE c SET c.[ClientId] = 'tenants/' + t.[Slug] + '/clients/' + c.[ClientId]
    FROM [clients] c JOIN [tenants] t ON t.[Id] = c.[TenantId]
    WHERE c.[ClientId] NOT LIKE 'tenants/%' AND LEN('tenants/' + t.[Slug] + '/clients/' + c.[ClientId]) <= 100;
    UPDATE [clients] SET [Status] = 1 WHERE [ClientId] NOT LIKE 'tenants/%';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201194536_PrivacyFixes'
)
BEGIN
    ALTER TABLE [case_revisions] ADD [Time] datetime2 NOT NULL DEFAULT '0001-01-01T00:00:00.0000000';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201194536_PrivacyFixes'
)
BEGIN
    UPDATE r SET r.[Time] = c.[UpdateTime] FROM [case_revisions] r JOIN [cases] c ON c.[Id] = r.[CaseRowId] AND c.[Seq] = r.[Seq];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201194536_PrivacyFixes'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201194536_PrivacyFixes', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201221223_PolicyFacts'
)
BEGIN
    DECLARE @var nvarchar(max);
    SELECT @var = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[cases]') AND [c].[name] = N'EventTypes');
    IF @var IS NOT NULL EXEC(N'ALTER TABLE [cases] DROP CONSTRAINT ' + @var + ';');
    ALTER TABLE [cases] DROP COLUMN [EventTypes];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201221223_PolicyFacts'
)
BEGIN
    DECLARE @var1 nvarchar(max);
    SELECT @var1 = QUOTENAME([d].[name])
    FROM [sys].[default_constraints] [d]
    INNER JOIN [sys].[columns] [c] ON [d].[parent_column_id] = [c].[column_id] AND [d].[parent_object_id] = [c].[object_id]
    WHERE ([d].[parent_object_id] = OBJECT_ID(N'[cases]') AND [c].[name] = N'Regions');
    IF @var1 IS NOT NULL EXEC(N'ALTER TABLE [cases] DROP CONSTRAINT ' + @var1 + ';');
    ALTER TABLE [cases] DROP COLUMN [Regions];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201221223_PolicyFacts'
)
BEGIN
    ALTER TABLE [cases] ADD [FactsVersion] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201221223_PolicyFacts'
)
BEGIN
    ALTER TABLE [cases] ADD [Month] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201221223_PolicyFacts'
)
BEGIN
    CREATE TABLE [case_event_types] (
        [CaseRowId] bigint NOT NULL,
        [EventType] int NOT NULL,
        CONSTRAINT [PK_case_event_types] PRIMARY KEY ([CaseRowId], [EventType]),
        CONSTRAINT [FK_case_event_types_cases_CaseRowId] FOREIGN KEY ([CaseRowId]) REFERENCES [cases] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201221223_PolicyFacts'
)
BEGIN
    CREATE TABLE [case_regions] (
        [CaseRowId] bigint NOT NULL,
        [Region] nvarchar(16) NOT NULL,
        CONSTRAINT [PK_case_regions] PRIMARY KEY ([CaseRowId], [Region]),
        CONSTRAINT [FK_case_regions_cases_CaseRowId] FOREIGN KEY ([CaseRowId]) REFERENCES [cases] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201221223_PolicyFacts'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201221223_PolicyFacts', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201230133_CaseFactsIndex'
)
BEGIN
    CREATE INDEX [IX_cases_TenantId_Retracted_Status_Classification_ConsentScope_Month_Id] ON [cases] ([TenantId], [Retracted], [Status], [Classification], [ConsentScope], [Month], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261201230133_CaseFactsIndex'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261201230133_CaseFactsIndex', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203061829_AdminReceipts'
)
BEGIN
    ALTER TABLE [clients] ADD [Generation] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203061829_AdminReceipts'
)
BEGIN
    CREATE TABLE [request_receipts] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] bigint NOT NULL,
        [Method] nvarchar(100) NOT NULL,
        [RequestId] nvarchar(64) NOT NULL,
        [RequestHash] varbinary(max) NOT NULL,
        [Response] varbinary(max) NOT NULL,
        [CreateTime] datetime2 NOT NULL,
        CONSTRAINT [PK_request_receipts] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_request_receipts_tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203061829_AdminReceipts'
)
BEGIN
    CREATE INDEX [IX_request_receipts_CreateTime] ON [request_receipts] ([CreateTime]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203061829_AdminReceipts'
)
BEGIN
    CREATE UNIQUE INDEX [IX_request_receipts_TenantId_Method_RequestId] ON [request_receipts] ([TenantId], [Method], [RequestId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261203061829_AdminReceipts'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261203061829_AdminReceipts', N'10.0.15');
END;

COMMIT;
GO

