using System.Text;

namespace Slipway.Install;

/// <summary>
/// The text of <c>slipway.service</c>. Each setting that is a choice says why next to it, since the unit is what
/// an operator reads when Slipway behaves unlike other services (docs/install.md).
/// </summary>
internal static class SystemdUnit
{
    public static string Render(HostLayout layout)
    {
        var unit = new StringBuilder();
        unit.Append($"""
            # Written by `slipway install` (see docs/install.md); `slipway install` again rewrites it, `slipway uninstall` removes it.
            [Unit]
            Description=Slipway: the edge (reverse proxy, process supervisor) and the control plane
            Wants=network-online.target
            After=network-online.target docker.service

            [Service]
            # READY=1 comes only when the edge listens and the control plane answers /readyz through it.
            Type=notify
            # `slipway edge upgrade` starts a new edge that takes over the sockets; the old edge, which is the main
            # process, then sends MAINPID=<new edge> so systemd tracks the new one. Only the main process may notify:
            # the apps run in this unit's cgroup too and must not be able to move the main pid.
            NotifyAccess=main
            # Apps (and the control plane) are children of the edge in this cgroup. The default control-group would
            # kill them on every stop or restart of Slipway, and kill the new edge when the old one exits during an
            # upgrade. With `process` only the main process (the edge) is signalled: it drains and exits, the apps keep
            # serving and the next start re-adopts them by pid and start time.
            KillMode=process
            # After an edge upgrade the main process is the new edge, which systemd did not start: it sends that
            # process SIGTERM on stop but does not wait for it to exit, so `systemctl stop` would return (and
            # `restart` start another `slipway up`) while the edge still drains and holds the ports. This waits for it.
            ExecStop=/bin/sh -c '[ -n "$$1" ] && kill -TERM "$$1" 2>/dev/null || exit 0; while kill -0 "$$1" 2>/dev/null; do sleep 0.2; done' slipway-stop $MAINPID
            Restart=on-failure
            RestartSec=2s
            # The edge drains in-flight requests for up to 25 s, the control plane for up to 30 s.
            TimeoutStopSec=90s
            TimeoutStartSec=5min
            User={HostLayout.UserName}
            Group={HostLayout.UserName}
            EnvironmentFile={HostLayout.ConfigPath}
            ExecStart={layout.Binary} up --home {layout.Home} --http {layout.Http} --admin {layout.Admin} --ports {layout.Ports}
            WorkingDirectory={layout.Home}
            # The home is 0700 and what Slipway writes is for it alone.
            UMask=0077
            # Binding the public listener to ports below 1024 without running as root.
            AmbientCapabilities=CAP_NET_BIND_SERVICE
            CapabilityBoundingSet=CAP_NET_BIND_SERVICE
            LimitNOFILE=65536

            # Hardening that leaves the supervisor and its apps working (each one checked: docs/install.md).
            NoNewPrivileges=yes
            ProtectSystem=strict
            ReadWritePaths={layout.Home}
            # Read-only, not hidden: `slipway deploy --from DIR` may build from a checkout under /home.
            ProtectHome=read-only
            PrivateTmp=yes
            PrivateDevices=yes
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectKernelLogs=yes
            ProtectControlGroups=yes
            ProtectClock=yes
            ProtectHostname=yes
            RestrictSUIDSGID=yes
            RestrictRealtime=yes
            LockPersonality=yes
            # Not set, on purpose: MemoryDenyWriteExecute (the .NET JIT needs writable code pages), RemoveIPC (would
            # remove the apps' IPC objects at stop while the apps keep running), SystemCallFilter and
            # RestrictAddressFamilies (they would apply to every app the supervisor runs).

            [Install]
            WantedBy=multi-user.target

            """);
        return unit.ToString();
    }
}
