using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Ferry.Execution.Sandboxing;

/// <summary>
/// The seccomp program every sandbox runs under: user code may not create user namespaces (inside
/// one it would be root with every capability, free to mount tmpfs that no memory limit counts, and
/// in reach of the kernel's whole namespace attack surface). <c>unshare</c> and <c>clone</c> with
/// CLONE_NEWUSER fail with EPERM; <c>clone3</c>, whose flags a filter cannot read, answers ENOSYS so
/// the C library falls back to <c>clone</c>; another architecture's system calls (i386, x32) kill.
/// The kernel's keyrings are refused too (<c>add_key</c>, <c>request_key</c>, <c>keyctl</c>: EPERM, as in Docker's
/// default profile): a uid's keyring outlives its worker, and the uid is handed to another user's worker later.
/// </summary>
internal static class SeccompFilter
{
    private const ushort LoadWord = 0x20; // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpEqual = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpGreaterOrEqual = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpSet = 0x45; // BPF_JMP | BPF_JSET | BPF_K
    private const ushort Return = 0x06; // BPF_RET | BPF_K
    private const uint Allow = 0x7FFF0000;
    private const uint Eperm = 0x00050000 | 1;
    private const uint Enosys = 0x00050000 | 38;
    private const uint KillProcess = 0x80000000;
    private const uint CloneNewUser = 0x10000000;
    private const uint X32Bit = 0x40000000;
    private const uint Clone3 = 435;

    /// <summary>The program as bubblewrap's <c>--seccomp</c> reads it, or null on an architecture it does not know.</summary>
    public static byte[]? Build()
    {
        (uint Arch, uint Unshare, uint Clone, uint AddKey)? numbers = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => (0xC000003E, 272, 56, 248),
            Architecture.Arm64 => (0xC00000B7, 97, 220, 217),
            _ => null,
        };
        if (numbers is not { } n)
        {
            return null;
        }

        // add_key, request_key and keyctl follow one another on both.
        (ushort Code, byte True, byte False, uint K)[] program =
        [
            (LoadWord, 0, 0, 4),                    // 0: arch
            (JumpEqual, 0, 14, n.Arch),             // 1: another ABI: kill (16)
            (LoadWord, 0, 0, 0),                    // 2: system call number
            (JumpGreaterOrEqual, 12, 0, X32Bit),    // 3: x32: kill (16)
            (JumpEqual, 10, 0, Clone3),             // 4: clone3: ENOSYS (15)
            (JumpEqual, 8, 0, n.AddKey),            // 5: add_key: EPERM (14)
            (JumpEqual, 7, 0, n.AddKey + 1),        // 6: request_key: EPERM (14)
            (JumpEqual, 6, 0, n.AddKey + 2),        // 7: keyctl: EPERM (14)
            (JumpEqual, 2, 0, n.Unshare),           // 8: unshare: look at its flags (11)
            (JumpEqual, 1, 0, n.Clone),             // 9: clone: look at its flags (11)
            (Return, 0, 0, Allow),                  // 10
            (LoadWord, 0, 0, 16),                   // 11: the flags (first argument, low word)
            (JumpSet, 1, 0, CloneNewUser),          // 12: a new user namespace: EPERM (14)
            (Return, 0, 0, Allow),                  // 13
            (Return, 0, 0, Eperm),                  // 14
            (Return, 0, 0, Enosys),                 // 15
            (Return, 0, 0, KillProcess),            // 16
        ];
        var bytes = new byte[program.Length * 8];
        for (var i = 0; i < program.Length; i++)
        {
            var at = bytes.AsSpan(i * 8);
            BinaryPrimitives.WriteUInt16LittleEndian(at, program[i].Code);
            at[2] = program[i].True;
            at[3] = program[i].False;
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], program[i].K);
        }

        return bytes;
    }
}
