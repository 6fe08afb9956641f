using System.Globalization;
using System.Text;

namespace DosAi.Orleans.Bench.Runner;

/// <summary>One nginx listener: <c>limit_req</c> keyed on the Authorization header, then <c>proxy_pass</c>.</summary>
public sealed record NginxServer(int Port, string Rate, int Burst);

/// <summary>
/// What an operator would build instead of the gateway: nginx's leaky-bucket <c>limit_req</c> per key
/// (per node, no tokens, no credits) in front of the upstream, with upstream keep-alive as tuned nginx has.
/// </summary>
public static class NginxConfig
{
    public static string Render(string prefix, Uri upstream, IReadOnlyList<NginxServer> servers)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $$"""
            daemon off;
            worker_processes auto;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 8192; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/client_body;
              proxy_temp_path {{prefix}}/proxy;
              fastcgi_temp_path {{prefix}}/fastcgi;
              uwsgi_temp_path {{prefix}}/uwsgi;
              scgi_temp_path {{prefix}}/scgi;
              upstream model { server {{upstream.Host}}:{{upstream.Port}}; keepalive 128; }
            """);
        foreach (var server in servers)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $$"""
                  limit_req_zone $http_authorization zone=keys{{server.Port}}:32m rate={{server.Rate}};
                  server {
                    listen 127.0.0.1:{{server.Port}};
                    location /v1/ {
                      limit_req zone=keys{{server.Port}}{{(server.Burst > 0 ? $" burst={server.Burst} nodelay" : "")}};
                      limit_req_status 429;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_pass http://model;
                    }
                  }
                """);
        }

        text.AppendLine("}");
        return text.ToString();
    }
}
