using System.Data;
using System.Data.Common;

namespace Ferry.Storage.Database;

/// <summary>Typed parameters for commands run many times over (a batch's records), in the syntax both providers accept.</summary>
internal static class DbCommandExtensions
{
    public static DbParameter AddParameter(this DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
