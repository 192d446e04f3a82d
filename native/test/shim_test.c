/* C test of the EdgeTPU shim against the libedgetpu test double (argv[1] = its path). Exits
 * non-zero on the first failed check; runs natively and under qemu-aarch64. */
#include "edgetpu_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static int contains(const char* s, const char* part) {
    return s != NULL && strstr(s, part) != NULL;
}

static void test_absent(void) {
    const char* err = etpu_load("/nonexistent/libedgetpu.so.1");
    CHECK(contains(err, "cannot dlopen /nonexistent/libedgetpu.so.1"));
    etpu_lib* lib = etpu_open("/nonexistent/libedgetpu.so.1");
    size_t n = 99;
    CHECK(etpu_list_devices(lib, &n) == NULL && n == 0);
    CHECK(etpu_create_delegate(lib, ETPU_TYPE_USB, NULL, NULL, 0) == NULL);
    CHECK(etpu_version(lib) == NULL);
    CHECK(etpu_test_control(lib, "stats") == NULL);
}

static void test_missing_symbol(void) {
    /* libc has none of the edgetpu_* symbols: the first lookup must be reported by name. */
    const char* err = etpu_load("libc.so.6");
    CHECK(contains(err, "symbol edgetpu_list_devices missing in libc.so.6"));
}

static void test_fake(const char* path) {
    etpu_lib* lib = etpu_open(path);
    CHECK(lib != NULL && etpu_load_error(lib) == NULL);
    CHECK(etpu_open(path) == lib);
    CHECK(strcmp(etpu_lib_path(lib), path) == 0);
    etpu_test_control(lib, "reset");
    CHECK(contains(etpu_version(lib), "RuntimeVersion(14)"));

    etpu_test_control(lib, "devices=usb,pci,usb");
    size_t n = 0;
    etpu_device* d = etpu_list_devices(lib, &n);
    CHECK(n == 3 && d != NULL);
    if (d != NULL && n == 3) {
        CHECK(d[0].type == ETPU_TYPE_USB && strcmp(d[0].path, "/sys/bus/usb/devices/2-1") == 0);
        CHECK(d[1].type == ETPU_TYPE_PCI && strcmp(d[1].path, "/dev/apex_0") == 0);
        CHECK(d[2].type == ETPU_TYPE_USB && strcmp(d[2].path, "/sys/bus/usb/devices/2-2") == 0);
    }
    etpu_free_devices(lib, d);

    etpu_option opts[2] = {{"Performance", "High"}, {"Usb.MaxBulkInQueueLength", "8"}};
    CHECK(etpu_create_delegate(lib, ETPU_TYPE_USB, NULL, opts, 2) == NULL); /* guarded */
    CHECK(etpu_create_delegate(lib, 7, "x", NULL, 0) == NULL);               /* bad type */
    TfLiteDelegate* del = etpu_create_delegate(lib, ETPU_TYPE_USB, "/sys/bus/usb/devices/2-2",
                                               opts, 2);
    CHECK(del != NULL);
    const char* stats = etpu_test_control(lib, "stats");
    CHECK(contains(stats, "create=1 "));
    CHECK(contains(stats, "type=1 name=/sys/bus/usb/devices/2-2 "));
    CHECK(contains(stats, "options=Performance=High;Usb.MaxBulkInQueueLength=8"));
    etpu_free_delegate(lib, del);
    etpu_verbosity(lib, 42);
    stats = etpu_test_control(lib, "stats");
    CHECK(contains(stats, "free_delegate=1 "));
    CHECK(contains(stats, "free_devices=1 "));
    CHECK(contains(stats, "verbosity=10 "));

    etpu_test_control(lib, "devices=none");
    CHECK(etpu_list_devices(lib, &n) == NULL && n == 0);
    etpu_test_control(lib, "fail_create=1");
    CHECK(etpu_create_delegate(lib, ETPU_TYPE_USB, NULL, NULL, 0) == NULL);
    etpu_test_control(lib, "reset");
}

static void test_env(const char* path) {
    /* NULL path = $QAT4J_EDGETPU_LIB; the test double honours FAKE_EDGETPU_* from the environment. */
    setenv("QAT4J_EDGETPU_LIB", path, 1);
    etpu_lib* lib = etpu_open(NULL);
    CHECK(etpu_load_error(lib) == NULL && strcmp(etpu_lib_path(lib), path) == 0);
    setenv("FAKE_EDGETPU_DEVICES", "pci,pci", 1);
    size_t n = 0;
    etpu_device* d = etpu_list_devices(lib, &n);
    CHECK(n == 2 && d != NULL && d[1].type == ETPU_TYPE_PCI && strcmp(d[1].path, "/dev/apex_1") == 0);
    etpu_free_devices(lib, d);
    setenv("FAKE_EDGETPU_FAIL_CREATE", "1", 1);
    CHECK(etpu_create_delegate(lib, ETPU_TYPE_PCI, "/dev/apex_0", NULL, 0) == NULL);
    unsetenv("FAKE_EDGETPU_FAIL_CREATE");
    TfLiteDelegate* del = etpu_create_delegate(lib, ETPU_TYPE_PCI, "/dev/apex_0", NULL, 0);
    CHECK(del != NULL);
    etpu_free_delegate(lib, del);
    unsetenv("FAKE_EDGETPU_DEVICES");
    unsetenv("QAT4J_EDGETPU_LIB");
    CHECK(strcmp(etpu_lib_path(etpu_open(NULL)), "libedgetpu.so.1") == 0);
}

static void test_find_loaded_symbol(const char* path) {
    CHECK(etpu_find_loaded_symbol(path, "edgetpu_version") != NULL);
    CHECK(etpu_find_loaded_symbol(path, "no_such_symbol") == NULL);
    CHECK(etpu_find_loaded_symbol("/nonexistent/libx.so", "edgetpu_version") == NULL);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s /path/to/libfake_edgetpu.so\n", argv[0]);
        return 2;
    }
    test_absent();
    test_missing_symbol();
    test_fake(argv[1]);
    test_env(argv[1]);
    test_find_loaded_symbol(argv[1]);
    if (failures == 0) printf("edgetpu shim test: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
