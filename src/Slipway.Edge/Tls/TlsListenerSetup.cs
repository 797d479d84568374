using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Slipway.Edge.Tls;

/// <summary>
/// Configures Kestrel's TLS listener: HTTP/1.1 and HTTP/2 by ALPN, the certificate picked per connection by
/// SNI from the <see cref="CertificateStore"/>, and TLS-ALPN-01 validations answered with their challenge
/// certificate. A name without a certificate (and no default) fails the handshake.
/// </summary>
internal sealed partial class TlsListenerSetup(CertificateStore store, Func<string, ServedCertificate?> challenge, ILogger logger)
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    public void Configure(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.Use(next => connection => PeekClientHelloAsync(connection, next));
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = HelloTimeout,
            OnConnection = context => ValueTask.FromResult(Select(context)),
        });
    }

    private SslServerAuthenticationOptions Select(TlsHandshakeCallbackContext context)
    {
        var name = context.ClientHelloInfo.ServerName;
        if (context.Connection.Features.Get<OfferedProtocolsFeature>() is { OffersOnlyAcmeTls: true })
        {
            if (!string.IsNullOrEmpty(name) && challenge(name) is { } answer)
            {
                Log.AnsweredTlsAlpn(logger, name);
                return answer.Options;
            }

            Log.NoChallenge(logger, name ?? "");
            throw new AuthenticationException($"No TLS-ALPN-01 challenge is pending for '{name}'.");
        }

        if (store.Current.Select(name) is { } served)
        {
            return served.Options;
        }

        Log.NoCertificate(logger, name ?? "(none)");
        throw new AuthenticationException($"No certificate for '{name}'.");
    }

    /// <summary>Buffers the first TLS record without consuming it, so the handshake still reads it.</summary>
    private static async Task PeekClientHelloAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(HelloTimeout);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var buffer = read.Buffer;
            var status = ClientHello.TryReadAlpn(buffer, out var protocols);
            if (status == ClientHello.Status.Complete)
            {
                input.AdvanceTo(buffer.Start);
                connection.Features.Set(new OfferedProtocolsFeature(protocols));
                break;
            }

            if (read.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }

        await next(connection);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "TLS handshake for '{Name}' refused: no certificate for it and no default")]
        public static partial void NoCertificate(ILogger logger, string name);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Answered a TLS-ALPN-01 validation for {Name}")]
        public static partial void AnsweredTlsAlpn(ILogger logger, string name);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "A TLS-ALPN-01 validation for '{Name}' came while no challenge is pending for it")]
        public static partial void NoChallenge(ILogger logger, string name);
    }
}
