/*
 * Tiny stand-in PKCS#11 modules for tests of module loading (issue 15).
 * Built by the tests (gcc on Linux, x86_64-w64-mingw32-gcc for Wine):
 *
 *   cc -shared -fPIC -DSTANDIN_FAILING -o failing.so pkcs11standin.c
 *   cc -shared -fPIC -DSTANDIN_NOISY   -o noisy.so   pkcs11standin.c
 *
 * STANDIN_FAILING: C_GetFunctionList returns CKR_GENERAL_ERROR and no list.
 * STANDIN_NOISY:   a working module with no slots that prints to stdout
 *                  (C runtime printf and the raw stdout handle / fd 1) from
 *                  C_GetFunctionList and C_Initialize, as some drivers do.
 */
#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#define EXPORT __declspec(dllexport)
#pragma pack(push, cryptoki, 1)
#else
#include <unistd.h>
#define EXPORT __attribute__((visibility("default")))
#endif

typedef unsigned long ck_ulong;
typedef struct { unsigned char major, minor; } ck_version;
typedef struct {
	ck_version cryptoki;
	unsigned char manufacturer[32];
	ck_ulong flags;
	unsigned char description[32];
	ck_version library;
} ck_info;
typedef struct {
	ck_version version;
	void *fn[68]; /* C_Initialize, C_Finalize, C_GetInfo, C_GetFunctionList, C_GetSlotList, ... */
} ck_function_list;

#ifdef _WIN32
#pragma pack(pop, cryptoki)
#endif

static void noise(const char *where)
{
#ifdef STANDIN_NOISY
	printf("NOISY-CRT-PRINTF %s\n", where);
	fflush(stdout);
	char raw[96];
	int n = snprintf(raw, sizeof raw, "NOISY-RAW-STDOUT %s\n", where);
#ifdef _WIN32
	DWORD w;
	WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), raw, (DWORD)n, &w, NULL);
#else
	if (write(1, raw, (size_t)n) < 0) { /* nothing to do */ }
#endif
#else
	(void)where;
#endif
}

#ifndef STANDIN_FAILING
static ck_ulong c_initialize(void *args) { (void)args; noise("C_Initialize"); return 0; }
static ck_ulong c_finalize(void *reserved) { (void)reserved; return 0; }
static ck_ulong c_get_info(ck_info *info)
{
	memset(info, ' ', sizeof *info);
	info->cryptoki.major = 2;
	info->cryptoki.minor = 40;
	info->flags = 0;
	memcpy(info->manufacturer, "efirma test stand-in", 20);
	info->library.major = 1;
	info->library.minor = 0;
	return 0;
}
static ck_ulong c_get_slot_list(unsigned char present, ck_ulong *slots, ck_ulong *count)
{
	(void)present; (void)slots;
	*count = 0;
	return 0;
}

static ck_function_list list;
#endif

EXPORT ck_ulong C_GetFunctionList(ck_function_list **out)
{
#ifdef STANDIN_FAILING
	(void)out;
	return 0x5; /* CKR_GENERAL_ERROR, *out left alone */
#else
	noise("C_GetFunctionList");
	list.version.major = 2;
	list.version.minor = 40;
	list.fn[0] = (void *)c_initialize;
	list.fn[1] = (void *)c_finalize;
	list.fn[2] = (void *)c_get_info;
	list.fn[3] = (void *)C_GetFunctionList;
	list.fn[4] = (void *)c_get_slot_list;
	*out = &list;
	return 0;
#endif
}
