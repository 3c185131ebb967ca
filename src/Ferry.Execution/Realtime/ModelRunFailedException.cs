namespace Ferry.Execution.Realtime;

/// <summary>A model run Ferry stopped or refused to answer (too long, too large an output): its calls answer <c>success:false</c> with the message.</summary>
internal sealed class ModelRunFailedException(string message) : Exception(message);
