namespace Ferry.Server.Tests.Sandboxing;

/// <summary>
/// What a hostile user's code tries, in Python: <c>attack(p)</c> returns what it saw as a dict. It probes signals with signal 0,
/// so that it can do no harm should it ever run unsandboxed. Its
/// parameters name the server's secrets and another user's file by their host paths, the server's
/// port and process id, and a number that marks the grandchild it leaves behind.
/// </summary>
internal static class AttackScript
{
    public const string Source = """
        import json, os, signal, socket, subprocess, time

        def _read(path):
            try:
                with open(path, 'rb', buffering=0) as f:
                    return 'READ %d bytes' % len(f.read(1 << 30))
            except Exception as e:
                return type(e).__name__

        def _cmdline(pid):
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as f:
                    return f.read().replace(b'\0', b' ').decode(errors='replace').strip()
            except Exception as e:
                return type(e).__name__

        def attack(p):
            r = {'uid': os.getuid(), 'pid': os.getpid(), 'root': sorted(os.listdir('/'))}
            r['signing_key'] = _read(p['key'])
            r['database'] = _read(p['db'])
            r['other_user_file'] = _read(p['other'])
            r['data_dir_exists'] = os.path.exists(p['data'])
            found = []
            for top in ('/etc', '/opt', '/run', '/tmp', '/work', '/usr/local', '/dev'):
                for root, dirs, files in os.walk(top):
                    found += [os.path.join(root, n) for n in files if n in ('jwt-signing-key', 'ferry.db', 'initial-admin-password')]
            r['secrets_found'] = found
            r['env'] = sorted(os.environ)
            try:
                socket.create_connection(('127.0.0.1', p['port']), timeout=2).close()
                r['server_port'] = 'CONNECTED'
            except Exception as e:
                r['server_port'] = type(e).__name__
            # Signal 0 asks the kernel whether a signal could be delivered, without delivering one: as
            # telling as SIGKILL, and harmless should this ever run outside a sandbox.
            try:
                os.kill(p['server_pid'], 0)
                r['kill_server'] = 'SENT'
            except Exception as e:
                r['kill_server'] = type(e).__name__
            killed = []
            for name in os.listdir('/proc'):
                if name.isdigit() and int(name) not in (1, os.getpid()):  # 1: the sandbox's own init
                    try:
                        os.kill(int(name), 0)
                        killed.append({'pid': int(name), 'cmdline': _cmdline(name)})
                    except Exception:
                        pass
            r['killed'] = killed
            # A user namespace would make it root with every capability (mounts, the kernel's namespace code).
            r['user_namespace'] = subprocess.run(['unshare', '-Ur', 'true'], capture_output=True).returncode
            r['terminal'] = [_read(d) for d in ('/dev/tty', '/dev/ptmx')]
            # The kernel's keyrings outlive a worker: a key left in its uid's keyring would reach the next user of that uid.
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            added = libc.syscall(248 if os.uname().machine == 'x86_64' else 217, b'user', b'ferry-probe', b'secret', 6, ctypes.c_int(-4))  # add_key to the user keyring (KEY_SPEC_USER_KEYRING)
            r['keyring'] = 'ADDED' if added >= 0 else os.strerror(ctypes.get_errno())
            # Links left where the server reads: if it followed them, a download would leak the key.
            for link in ('leak.txt', 'outputs/model.bin'):
                try:
                    os.makedirs(os.path.dirname(link) or '.', exist_ok=True)
                    if os.path.lexists(link):
                        os.remove(link)
                    os.symlink(p['key'], link)
                except Exception:
                    pass
            children, error = [], None
            try:
                for i in range(5000):
                    children.append(subprocess.Popen(['sleep', '60']))
            except Exception as e:
                error = type(e).__name__
            r['forked'], r['fork_error'] = len(children), error
            for c in children:
                c.kill()
                c.wait()
            subprocess.Popen(['sh', '-c', 'sleep %d &' % p['marker']], start_new_session=True).wait()
            return r
        """;
}
