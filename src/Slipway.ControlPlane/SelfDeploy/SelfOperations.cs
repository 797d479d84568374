using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Hosting;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// Turns <c>POST /api/v1/self/deploy</c> into a journaled deployment of the app <c>slipway</c>, checked before anything
/// is written. Registers the embedded default spec the first time (or when the request names a new source).
/// </summary>
internal sealed class SelfOperations(SlipwayStore store, AppCatalog specs, DeploymentService deployments, SelfDeployPipeline pipeline, ControlPlaneOptions options)
{
    public (Deployment Deployment, bool Coalesced) Deploy(SelfDeployRequest request)
    {
        if (new[] { request.Revision, request.From, request.Binary }.Count(v => v is not null) > 1)
        {
            throw RequestRefusedException.Invalid("revision, from and binary: give one of them: --rev REV builds a revision of the configured source, --from DIR a checkout, --binary FILE deploys a release binary as it is.");
        }

        if (request.Revision is { } revision && !GitRevisions.IsWellFormed(revision))
        {
            throw RequestRefusedException.Invalid($"revision: '{revision}' is not a git revision; give a commit sha, branch or tag name.");
        }

        string? from = null;
        if (request.From is { Length: > 0 } dir)
        {
            if (!Path.IsPathFullyQualified(dir))
            {
                throw RequestRefusedException.Invalid($"from: '{dir}' is not an absolute path; the CLI sends one, API callers must too.");
            }

            from = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
            if (!File.Exists(Path.Combine(from, "src", "Slipway", "Slipway.csproj")))
            {
                throw RequestRefusedException.Invalid($"from: '{from}' is not a Slipway checkout (no src/Slipway/Slipway.csproj there).");
            }
        }

        if (request.Binary is { } binary)
        {
            from = SelfBinary.Check(binary) is { } problem ? throw RequestRefusedException.Invalid($"binary: {problem}") : Path.GetFullPath(binary);
        }

        var spec = EnsureSpec(request);
        if (from is null && spec.Source?.Git is null)
        {
            throw RequestRefusedException.Invalid("The control plane has no source yet: give --from DIR (a Slipway checkout), or --source URL|PATH [--branch B].");
        }

        var busy = store.ListUnfinishedDeployments().FirstOrDefault(d => d.App != SelfApp.Name);
        if (busy is not null)
        {
            throw RequestRefusedException.Conflict($"Deployment {busy.Id} of {busy.App} is {StoreNames.ToText(busy.Status)}: the control plane deploys itself only while no other deployment runs; retry when it ends.");
        }

        var key = from is not null ? (request.Binary is not null ? "binary:" : "from:") + from : "git:" + (request.Revision ?? "@" + spec.Source!.Branch);
        lock (pipeline.CandidateEnvironment)
        {
            var result = deployments.Request(new NewDeployment
            {
                App = SelfApp.Name, Env = SelfApp.Env, Kind = DeploymentKind.Deploy, RequestedRevision = request.Revision, FromDir = from,
            }, key);
            if (!result.Coalesced && request.CandidateEnv is { Count: > 0 } env)
            {
                pipeline.CandidateEnvironment[result.Deployment.Id] = env;
            }

            return result;
        }
    }

    /// <summary>The stored spec of app <c>slipway</c>; the embedded default is written when there is none or a new source is given.</summary>
    private AppSpec EnsureSpec(SelfDeployRequest request)
    {
        var record = store.GetApp(SelfApp.Name);
        if (record is not null && request.Source is null)
        {
            return specs.Of(record);
        }

        var source = request.Source;
        if (source is not null && !source.Contains("://", StringComparison.Ordinal) && !source.Contains('@', StringComparison.Ordinal))
        {
            if (!Path.IsPathFullyQualified(source) || !Directory.Exists(source))
            {
                throw RequestRefusedException.Invalid($"source: '{source}' is neither a URL nor an existing absolute directory on the server.");
            }
        }

        var yaml = SelfApp.DefaultSpecYaml(options, source, request.Branch);
        var spec = AppSpecParser.Parse(yaml, $"{SelfApp.Name}/slipway.yml");
        store.UpsertApp(SelfApp.Name, yaml);
        return spec;
    }
}
