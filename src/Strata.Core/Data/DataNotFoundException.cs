namespace Strata.Core.Data;

/// <summary>A file Strata ships in its data folder is not where it should be; the message names the path and the fix.</summary>
public sealed class DataNotFoundException(string message) : Exception(message);
