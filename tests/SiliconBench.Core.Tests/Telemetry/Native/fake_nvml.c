/* A fake libnvidia-ml for tests: the real NVML signatures, values scripted by the file named in
 * FAKE_NVML_SCRIPT or set by fake_nvml_set_script (managed code cannot change the native environment; read at every nvmlInit_v2), so the harness's P/Invoke layer, struct layouts,
 * error strings and multi-device handling are exercised for real without a GPU.
 *
 * Script lines, key=value (index i is the device):
 *   devices=2                 init_rc=N
 *   energy_mj.i=START,STEP    energy value returned, advancing STEP per call
 *   energy_rc.i=N             return code of nvmlDeviceGetTotalEnergyConsumption (3 = not supported)
 *   energy_fail_after.i=K     after K successful energy calls, return 15 (GPU is lost)
 *   power_mw.i=START,STEP     nvmlDeviceGetPowerUsage
 *   fields_rc=N               return code of nvmlDeviceGetFieldValues itself
 *   field_rc=N                per-value nvmlReturn inside the field values
 *   avg_mw.i=V  inst_mw.i=V   field 185 / 186 values (unsigned int)
 *   reasons.i=V               clock-event reasons bitmask
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXDEV 8
typedef struct {
    int index;
    unsigned long long energy, energy_step;
    int energy_rc, energy_fail_after, energy_calls;
    unsigned int power, power_step;
    unsigned int avg_mw, inst_mw;
    unsigned long long reasons;
} fake_device;

static fake_device devs[MAXDEV];
static int ndev = 1, init_rc = 0, fields_rc = 0, field_rc = 0;
static int init_count = 0, shutdown_count = 0;
static char script_path[1024];

void fake_nvml_set_script(const char *path) { strncpy(script_path, path, sizeof script_path - 1); }

static void load_script(void) {
    memset(devs, 0, sizeof devs);
    ndev = 1; init_rc = 0; fields_rc = 0; field_rc = 0;
    for (int i = 0; i < MAXDEV; i++) {
        devs[i].index = i;
        devs[i].energy = 1000000ULL * (i + 1);
        devs[i].energy_step = 100;
        devs[i].energy_fail_after = -1;
        devs[i].power = 100000;
        devs[i].avg_mw = 90000;
        devs[i].inst_mw = 110000;
    }
    const char *path = script_path[0] ? script_path : getenv("FAKE_NVML_SCRIPT");
    if (!path) return;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char key[64]; long long a = 0, b = 0; int i = 0;
        if (sscanf(line, "devices=%d", &ndev) == 1) continue;
        if (sscanf(line, "init_rc=%d", &init_rc) == 1) continue;
        if (sscanf(line, "fields_rc=%d", &fields_rc) == 1) continue;
        if (sscanf(line, "field_rc=%d", &field_rc) == 1) continue;
        if (sscanf(line, "%63[a-z_].%d=%lld,%lld", key, &i, &a, &b) >= 3 && i >= 0 && i < MAXDEV) {
            fake_device *d = &devs[i];
            if (!strcmp(key, "energy_mj")) { d->energy = a; d->energy_step = b; }
            else if (!strcmp(key, "energy_rc")) d->energy_rc = (int)a;
            else if (!strcmp(key, "energy_fail_after")) d->energy_fail_after = (int)a;
            else if (!strcmp(key, "power_mw")) { d->power = (unsigned)a; d->power_step = (unsigned)b; }
            else if (!strcmp(key, "avg_mw")) d->avg_mw = (unsigned)a;
            else if (!strcmp(key, "inst_mw")) d->inst_mw = (unsigned)a;
            else if (!strcmp(key, "reasons")) d->reasons = (unsigned long long)a;
        }
    }
    fclose(f);
}

static fake_device *dev(void *h) { return (fake_device *)h; }

int nvmlInit_v2(void) { load_script(); if (init_rc == 0) init_count++; return init_rc; }
int nvmlShutdown(void) { shutdown_count++; return 0; }
int fake_nvml_init_count(void) { return init_count; }
int fake_nvml_shutdown_count(void) { return shutdown_count; }

const char *nvmlErrorString(int rc) {
    switch (rc) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    default: return "Unknown Error";
    }
}

static int copy(char *dst, unsigned len, const char *src) {
    if (strlen(src) + 1 > len) return 7;
    strcpy(dst, src);
    return 0;
}

int nvmlSystemGetDriverVersion(char *v, unsigned len) { return copy(v, len, "555.42.06"); }
int nvmlSystemGetNVMLVersion(char *v, unsigned len) { return copy(v, len, "12.555.42.06"); }
int nvmlDeviceGetCount_v2(unsigned *n) { *n = (unsigned)ndev; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **h) {
    if ((int)i >= ndev) return 2;
    *h = &devs[i];
    return 0;
}
int nvmlDeviceGetName(void *h, char *n, unsigned len) {
    char buf[64]; snprintf(buf, sizeof buf, "Fake GPU %d", dev(h)->index); return copy(n, len, buf);
}
int nvmlDeviceGetUUID(void *h, char *u, unsigned len) {
    char buf[64]; snprintf(buf, sizeof buf, "GPU-fake-%04d", dev(h)->index); return copy(u, len, buf);
}
typedef struct {
    char busIdLegacy[16];
    unsigned domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} pci_info;
int nvmlDeviceGetPciInfo_v3(void *h, pci_info *p) {
    memset(p, 0, sizeof *p);
    p->bus = (unsigned)(0x10 + dev(h)->index);
    snprintf(p->busId, sizeof p->busId, "00000000:%02X:00.0", p->bus);
    return 0;
}
typedef struct { unsigned long long total, free, used; } mem_info;
int nvmlDeviceGetMemoryInfo(void *h, mem_info *m) {
    m->total = 80ULL << 30; m->used = (1ULL << 30) * (dev(h)->index + 1); m->free = m->total - m->used; return 0;
}
int nvmlDeviceGetEnforcedPowerLimit(void *h, unsigned *mw) { *mw = 700000 - 50000 * (unsigned)dev(h)->index; return 0; }
int nvmlDeviceGetTotalEnergyConsumption(void *h, unsigned long long *mj) {
    fake_device *d = dev(h);
    if (d->energy_rc) return d->energy_rc;
    if (d->energy_fail_after >= 0 && d->energy_calls >= d->energy_fail_after) return 15;
    d->energy_calls++;
    *mj = d->energy;
    d->energy += d->energy_step;
    return 0;
}
int nvmlDeviceGetPowerUsage(void *h, unsigned *mw) {
    fake_device *d = dev(h); *mw = d->power; d->power += d->power_step; return 0;
}
typedef struct {
    unsigned fieldId, scopeId;
    long long timestamp, latencyUsec;
    int valueType, nvmlReturn;
    union { double d; unsigned ui; unsigned long long ull; long long sll; int si; } value;
} field_value;
int nvmlDeviceGetFieldValues(void *h, int count, field_value *v) {
    if (fields_rc) return fields_rc;
    for (int k = 0; k < count; k++) {
        v[k].valueType = 1; /* unsigned int */
        v[k].nvmlReturn = field_rc;
        v[k].timestamp = 1;
        if (v[k].fieldId == 185) v[k].value.ui = dev(h)->avg_mw;
        else if (v[k].fieldId == 186) v[k].value.ui = dev(h)->inst_mw;
        else v[k].nvmlReturn = 2;
    }
    return 0;
}
int nvmlDeviceGetClockInfo(void *h, int type, unsigned *mhz) { (void)h; *mhz = type == 1 ? 1980 : type == 2 ? 2619 : 0; return 0; }
int nvmlDeviceGetTemperature(void *h, int sensor, unsigned *c) { (void)sensor; *c = 40 + (unsigned)dev(h)->index; return 0; }
typedef struct { unsigned gpu, memory; } util;
int nvmlDeviceGetUtilizationRates(void *h, util *u) { (void)h; u->gpu = 97; u->memory = 55; return 0; }
int nvmlDeviceGetCurrentClocksEventReasons(void *h, unsigned long long *r) { *r = dev(h)->reasons; return 0; }
