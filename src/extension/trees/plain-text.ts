/** Tree labels are plain text: show Markdown `code` spans without their backticks (tooltips keep the source). */
export function plainText(markdown: string): string {
  return markdown.replace(/`([^`]*)`/g, '$1');
}
