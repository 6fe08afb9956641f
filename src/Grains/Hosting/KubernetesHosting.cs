using Microsoft.Extensions.Configuration;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>
/// Kubernetes integration is on when the process runs in a pod (Kubernetes sets
/// <c>KUBERNETES_SERVICE_HOST</c>) unless <c>Cluster:Kubernetes</c> is <c>false</c>.
/// </summary>
public static class KubernetesHosting
{
    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>($"{ClusterSettings.Section}:Kubernetes")
        ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));
}
