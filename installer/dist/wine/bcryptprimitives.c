/*
 * A stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks and every
 * Go >= 1.22 program loads at start-up for ProcessPrng (its random source on
 * Windows 10 and later). It is only for running the Windows build under Wine
 * in `make windows-check`; it is never shipped.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c
 *
 * ProcessPrng fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine implements over the host's /dev/urandom.
 */
#include <windows.h>

typedef BOOLEAN (WINAPI *genrandom_fn)(PVOID, ULONG);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	static genrandom_fn gen;
	if (gen == NULL) {
		HMODULE advapi = LoadLibraryA("advapi32.dll");
		if (advapi == NULL)
			return FALSE;
		gen = (genrandom_fn)GetProcAddress(advapi, "SystemFunction036");
		if (gen == NULL)
			return FALSE;
	}
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!gen(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
