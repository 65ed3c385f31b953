"""The whole machine's CPU over a measured window, from two snapshots of `machine_cpu`
(scripts/common.sh, "busy idle steal" seconds since boot, all cores together), and the load
generator's own CPU, from two of `children_cpu_seconds`."""


def machine_and_load(load_before, load_after, machine_before, machine_after):
    before, after = ([float(value) for value in snapshot.split()] for snapshot in (machine_before, machine_after))
    busy, idle, steal = (a - b for a, b in zip(after, before))
    return {"loadCpuSeconds": float(load_after) - float(load_before),
            "machineBusySeconds": busy, "machineIdleSeconds": idle, "machineStealSeconds": steal}
