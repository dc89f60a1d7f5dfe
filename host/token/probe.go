//go:build cgo

package token

/*
#cgo linux LDFLAGS: -ldl
#cgo darwin LDFLAGS: -ldl
#include <stdlib.h>

// The start of CK_FUNCTION_LIST (PKCS#11 v2.40 §5): a CK_VERSION, then the
// function pointers in the standard's order. Cryptoki structures are packed
// to 1 byte on Windows (as miekg/pkcs11 builds them), natural elsewhere.
#ifdef _WIN32
#pragma pack(push, cryptoki, 1)
#endif
typedef struct { unsigned char major, minor; } probe_version;
typedef struct {
	probe_version version;
	void *C_Initialize, *C_Finalize, *C_GetInfo, *C_GetFunctionList, *C_GetSlotList;
} probe_list;
#ifdef _WIN32
#pragma pack(pop, cryptoki)
#endif
typedef unsigned long probe_rv; // CK_RV: unsigned long on every platform
typedef probe_rv (*probe_getlist)(probe_list **);

enum { PROBE_OK, PROBE_NO_LOAD, PROBE_NO_SYMBOL, PROBE_RV, PROBE_NULL_LIST, PROBE_NULL_FUNCS };

#ifdef _WIN32
#include <windows.h>
static void *probe_open(const char *p) { return (void *)LoadLibraryA(p); }
static void *probe_sym(void *h, const char *s) { return (void *)GetProcAddress((HMODULE)h, s); }
static void probe_close(void *h) { FreeLibrary((HMODULE)h); }
#else
#include <dlfcn.h>
static void *probe_open(const char *p) { return dlopen(p, RTLD_LAZY); }
static void *probe_sym(void *h, const char *s) { return dlsym(h, s); }
static void probe_close(void *h) { dlclose(h); }
#endif

// probe loads the library, calls C_GetFunctionList and checks what it
// returned. On success the library stays loaded (the module is loaded for
// the rest of the process anyway); on failure it is released.
static int probe(const char *path, probe_rv *rv) {
	void *h = probe_open(path);
	if (h == NULL)
		return PROBE_NO_LOAD;
	probe_getlist get = (probe_getlist)probe_sym(h, "C_GetFunctionList");
	if (get == NULL) {
		probe_close(h);
		return PROBE_NO_SYMBOL;
	}
	probe_list *list = NULL;
	*rv = get(&list);
	if (*rv != 0) {
		probe_close(h);
		return PROBE_RV;
	}
	if (list == NULL) {
		probe_close(h);
		return PROBE_NULL_LIST;
	}
	if (list->C_Initialize == NULL || list->C_GetInfo == NULL || list->C_GetSlotList == NULL) {
		probe_close(h);
		return PROBE_NULL_FUNCS;
	}
	return PROBE_OK;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// probeModule loads the library at path and checks that its
// C_GetFunctionList returns CKR_OK and a function list with the functions
// every caller needs, before miekg/pkcs11 uses it: miekg's New ignores that
// return value and would call through a NULL list (an access violation that
// kills the host with no reply, issue 15). The answer is ErrNotPKCS11, and
// the host keeps serving.
func probeModule(path string) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var rv C.probe_rv
	switch r := C.probe(cpath, &rv); r {
	case C.PROBE_OK:
		return nil
	case C.PROBE_NO_LOAD:
		return fmt.Errorf("%w: the dynamic loader refused it", ErrNotPKCS11)
	case C.PROBE_NO_SYMBOL:
		return fmt.Errorf("%w: no C_GetFunctionList", ErrNotPKCS11)
	case C.PROBE_RV:
		return fmt.Errorf("%w: C_GetFunctionList returned 0x%x", ErrNotPKCS11, uint64(rv))
	case C.PROBE_NULL_LIST:
		return fmt.Errorf("%w: C_GetFunctionList returned no function list", ErrNotPKCS11)
	default:
		return fmt.Errorf("%w: the function list lacks C_Initialize, C_GetInfo or C_GetSlotList", ErrNotPKCS11)
	}
}
