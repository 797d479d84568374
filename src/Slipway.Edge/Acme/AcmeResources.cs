namespace Slipway.Edge.Acme;

// The parts of RFC 8555's resources this client reads.
internal sealed record AcmeDirectory
{
    public string NewNonce { get; init; } = "";

    public string NewAccount { get; init; } = "";

    public string NewOrder { get; init; } = "";
}

internal sealed record AcmeOrder
{
    public string Status { get; init; } = "";

    public IReadOnlyList<string> Authorizations { get; init; } = [];

    public string Finalize { get; init; } = "";

    public string? Certificate { get; init; }

    public AcmeProblem? Error { get; init; }
}

internal sealed record AcmeAuthorization
{
    public AcmeIdentifier Identifier { get; init; } = new();

    public string Status { get; init; } = "";

    public IReadOnlyList<AcmeChallenge> Challenges { get; init; } = [];
}

internal sealed record AcmeIdentifier
{
    public string Type { get; init; } = "dns";

    public string Value { get; init; } = "";
}

internal sealed record AcmeChallenge
{
    public string Type { get; init; } = "";

    public string Url { get; init; } = "";

    public string Token { get; init; } = "";

    public string Status { get; init; } = "";

    public AcmeProblem? Error { get; init; }
}

internal sealed record AcmeProblem
{
    public string? Type { get; init; }

    public string? Detail { get; init; }

    public int? Status { get; init; }

    public IReadOnlyList<AcmeProblem>? Subproblems { get; init; }

    public override string ToString()
    {
        var type = Type?.Replace("urn:ietf:params:acme:error:", "", StringComparison.Ordinal) ?? "error";
        var sub = Subproblems is { Count: > 0 } ? " (" + string.Join("; ", Subproblems.Select(s => s.ToString())) + ")" : "";
        return $"{type}: {Detail}{sub}";
    }
}
