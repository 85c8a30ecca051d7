import * as vscode from 'vscode';

/**
 * Workspace Trust for what runs or writes: templates are code from the workspace, and generation
 * and rendering write files whose paths come from it. In Restricted Mode, say so and offer to
 * manage trust (without waiting for an answer: the command ends at once); true when trusted.
 */
export async function requireTrust(action: string, why = 'templates are code from this workspace'): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(`${action} is off in Restricted Mode: ${why}. Trust the workspace to allow it.`, manage)
    .then(choice => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
