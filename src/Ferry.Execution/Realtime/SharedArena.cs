using Microsoft.ML.OnnxRuntime;

namespace Ferry.Execution.Realtime;

/// <summary>
/// One ONNX Runtime memory arena for every realtime model of the process, capped: a model asking for more
/// (a ConstantOfShape sized by its input, say) fails that run instead of growing the server. ONNX Runtime
/// registers an environment's allocator once, so the first model loaded sets the cap.
/// </summary>
internal static class SharedArena
{
    private const int SameAsRequested = 1; // kSameAsRequested: the arena grows by what a run asks, never doubling past the cap
    private static readonly Lock Gate = new();
    private static bool registered;

    public static void Register(long maxBytes)
    {
        lock (Gate)
        {
            if (registered)
            {
                return;
            }

            using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            using var arena = new OrtArenaCfg((uint)Math.Clamp(maxBytes, 64L * 1024 * 1024, uint.MaxValue), SameAsRequested, -1, -1);
            OrtEnv.Instance().CreateAndRegisterAllocator(memory, arena);
            registered = true;
        }
    }
}
