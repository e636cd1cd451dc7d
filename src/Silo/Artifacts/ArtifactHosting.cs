using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Routines.Silo.Artifacts;

/// <summary>The artifact store every silo shares (workers write and read it, the service checks, serves and sweeps it).</summary>
internal static class ArtifactHosting
{
    public static IServiceCollection AddRoutinesArtifacts(this IServiceCollection services)
    {
        services.AddOptions<ArtifactStoreOptions>().BindConfiguration("Routines:Artifacts").ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArtifactStoreOptions>, Validation>());
        services.TryAddSingleton(sp => Create(sp.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value));
        return services;
    }

    /// <summary>The store the options name: a directory, or an Azure Blob Storage container.</summary>
    public static ArtifactStore Create(ArtifactStoreOptions options)
    {
        if (options.Problem() is { } problem) throw new OptionsValidationException(nameof(ArtifactStoreOptions), typeof(ArtifactStoreOptions), [problem]);
        return options.Store.Equals("azure", StringComparison.OrdinalIgnoreCase)
            ? new AzureBlobArtifactStore(options, Path.Combine(Path.GetTempPath(), "routines-artifacts-" + Environment.ProcessId))
            : new FileArtifactStore(options.Path is { Length: > 0 } path ? path : Path.Combine(".routines", "artifacts"));
    }

    sealed class Validation : IValidateOptions<ArtifactStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, ArtifactStoreOptions options)
            => options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
