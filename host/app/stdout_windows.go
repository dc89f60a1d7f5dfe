package app

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// reserveStdout keeps the standard output for protocol frames only, as on
// Unix: a PKCS#11 driver (a DLL in this process) that prints, through the
// C runtime's printf or by writing the STD_OUTPUT_HANDLE, must not corrupt
// the stream the browser reads (issue 15: a stand-in driver's text between
// frames became a 1.4 GB length). It duplicates the process's stdout handle
// into a private handle for the frames, then points the Win32 standard
// output and the C runtime's descriptor 1 (every msvcrt/ucrt loaded in the
// process that exposes _dup2) at stderr. It runs before any driver loads.
func reserveStdout() (*os.File, error) {
	proc := windows.CurrentProcess()
	out, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE)
	if err != nil || out == 0 || out == windows.InvalidHandle {
		return nil, errors.New("no standard output handle")
	}
	var private windows.Handle
	if err := windows.DuplicateHandle(proc, out, proc, &private, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return nil, err
	}
	errh, err := windows.GetStdHandle(windows.STD_ERROR_HANDLE)
	if err != nil || errh == 0 || errh == windows.InvalidHandle {
		// Nowhere to send a driver's text: the NUL device.
		nul, _ := windows.UTF16PtrFromString("NUL")
		errh, err = windows.CreateFile(nul, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
		if err != nil {
			windows.CloseHandle(private)
			return nil, err
		}
	}
	if err := windows.SetStdHandle(windows.STD_OUTPUT_HANDLE, errh); err != nil {
		windows.CloseHandle(private)
		return nil, err
	}
	redirectCRTStdout(errh)
	// Again: a C runtime's _dup2 onto descriptor 1 first closes it, which
	// resets STD_OUTPUT_HANDLE.
	windows.SetStdHandle(windows.STD_OUTPUT_HANDLE, errh)
	return os.NewFile(uintptr(private), "protocol-stdout"), nil
}

// crtLibraries are the C runtimes a driver or this program may use: the
// Universal CRT (Windows 10+, MSVC 2015+ drivers), the system msvcrt
// (mingw builds, this binary's cgo) and the MSVC 2010-2013 runtimes.
var crtLibraries = []string{"ucrtbase.dll", "msvcrt.dll", "msvcr120.dll", "msvcr110.dll", "msvcr100.dll"}

// redirectCRTStdout makes descriptor 1 of each C runtime already loaded
// write to errh: it wraps a duplicate of errh in a new descriptor
// (_open_osfhandle), copies that onto 1 (_dup2) and closes the spare. Those
// runtimes set descriptor 1 from the original stdout handle when they
// started; one loaded later (with a driver) sets it from the standard
// handles, which already point at stderr. Descriptor 2 is not used as the
// source: when the process was started with pipes that are not Windows
// consoles (Wine started from Linux), it may not be open in the runtime.
// Nothing is loaded here, so no DLL is searched for.
func redirectCRTStdout(errh windows.Handle) {
	proc := windows.CurrentProcess()
	for _, name := range crtLibraries {
		n, err := windows.UTF16PtrFromString(name)
		if err != nil {
			continue
		}
		var mod windows.Handle
		if windows.GetModuleHandleEx(windows.GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, n, &mod) != nil {
			continue
		}
		openOSF, err1 := windows.GetProcAddress(mod, "_open_osfhandle")
		dup2, err2 := windows.GetProcAddress(mod, "_dup2")
		closeFD, err3 := windows.GetProcAddress(mod, "_close")
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		var h windows.Handle
		if windows.DuplicateHandle(proc, errh, proc, &h, 0, false, windows.DUPLICATE_SAME_ACCESS) != nil {
			continue
		}
		r, _, _ := syscall.SyscallN(openOSF, uintptr(h), 0)
		fd := int32(r)
		if fd < 0 {
			windows.CloseHandle(h)
			continue
		}
		if fd != 1 {
			syscall.SyscallN(dup2, uintptr(fd), 1)
			syscall.SyscallN(closeFD, uintptr(fd))
		}
	}
}
