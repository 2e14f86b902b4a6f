namespace SharingPlatform.Client.Pseudonymization;

/// <summary>
/// What a partner knows that identifies a person. These never leave the partner's machine: only the subject
/// token derived from them, and the birth year, are sent.
/// </summary>
/// <param name="FamilyName">In Hangul or romanized (e.g. 최, Choi, Choe).</param>
/// <param name="GivenName">In Hangul or Revised Romanization, with or without hyphens (e.g. 미라, Mi-ra, Mira).</param>
/// <param name="BirthDate">Exact if known; a partial date gives a different token than a full one.</param>
/// <param name="Sex">F, M, or empty when unknown.</param>
/// <param name="HomeCounty">Optional; if used, every partner must use it, spelled as they agree.</param>
public sealed record PersonIdentifiers(string FamilyName, string GivenName, DateOnly? BirthDate, string Sex = "", string HomeCounty = "");
