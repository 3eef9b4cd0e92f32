#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the test that submits a real sweep job array
# (Tests/CLITests/SlurmSweepTests.swift). Usage: scripts/slurm-local.sh start|stop|status
#   start: installs Debian's slurmctld, slurmd, slurm-client and munge if missing, writes a slurm.conf for
#          this host (all its CPUs, proctrack/linuxproc, task/none, select/cons_tres), a munge key, then
#          starts munged, slurmctld and slurmd and waits until the node is idle. Idempotent.
#   stop:  stops the three daemons it started (by the pid files it wrote).
set -euo pipefail
state=/var/tmp/collapse-slurm
conf_dir=/etc/slurm
cmd=${1:-status}

stop_daemons() {
    for d in slurmd slurmctld munged; do
        f="$state/$d.pid"
        # Only a live process of that name: a pid file left from an earlier boot may name another process now.
        if [ -s "$f" ] && [ "$(cat "/proc/$(cat "$f")/comm" 2>/dev/null)" = "$d" ]; then kill "$(cat "$f")" || true; fi
        rm -f "$f"
    done
}

case "$cmd" in
start)
    need=()
    for pkg in slurmctld slurmd slurm-client munge; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
    done
    if ((${#need[@]})); then
        echo "slurm-local: installing Debian packages: ${need[*]}"
        sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        for i in 1 2 3 4 5 6; do   # another apt may hold the lock for a while
            DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null && break
            [ "$i" -eq 1 ] && $sudo_cmd apt-get update -qq || true
            sleep 10
        done
    fi
    if sinfo -h -o %T 2>/dev/null | grep -q -E "idle|mix|alloc"; then echo "slurm-local: already running"; exit 0; fi
    stop_daemons
    host=$(hostname -s)
    cpus=$(nproc)
    mkdir -p "$state"/{spool,slurmd} /var/log/slurm /run/munge /etc/munge "$conf_dir"
    chmod 700 "$state"
    if [ ! -s /etc/munge/munge.key ]; then
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    cat > "$conf_dir/slurm.conf" <<CONF
# Written by scripts/slurm-local.sh: a one-node cluster for the toolkit's tests.
ClusterName=collapse-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation=$state/spool
SlurmdSpoolDir=$state/slurmd
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid 2>/dev/null || /usr/sbin/munged -f --pid-file=/run/munge/munged.pid
    cp /run/munge/munged.pid "$state/munged.pid"
    /usr/sbin/slurmctld
    /usr/sbin/slurmd
    for i in $(seq 1 60); do
        if sinfo -h -o %T 2>/dev/null | grep -q -E "idle|mix|alloc"; then echo "slurm-local: one node ($host, $cpus CPUs) idle"; exit 0; fi
        sleep 1
    done
    echo "slurm-local: the node did not come up; see /var/log/slurm/*.log" >&2
    exit 1
    ;;
stop)
    stop_daemons
    echo "slurm-local: stopped"
    ;;
status)
    sinfo 2>/dev/null || { echo "slurm-local: not running"; exit 1; }
    ;;
*)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
