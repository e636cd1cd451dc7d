namespace Routines.Ui.Forms;

/// <summary>Which editor a field of the Run form gets.</summary>
public enum FormKind
{
    Object,
    Array,
    Integer,
    Number,
    String,
    Boolean,
    Enum,

    /// <summary>A schema the form cannot draw (anyOf, a type union, a deep recursion): edited as raw JSON.</summary>
    Json,
}
