// The words of every email a supplier receives. Pure: the caller supplies names, dates and links.
import { ukClock } from '../../platform/format';

export type Contact = { council: string; name: string | null; email: string | null };
type Procurement = { title: string; reference: string | null };

const UK_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** "5pm on Thursday 10 December 2026 (UK time)", the GOV.UK way of writing a deadline. */
export function ukDeadline(at: Date): string {
  const [hours, minutes] = ukClock(at).split(':').map(Number) as [number, number];
  const clock = `${hours % 12 === 0 ? 12 : hours % 12}${minutes === 0 ? '' : `:${String(minutes).padStart(2, '0')}`}${hours < 12 ? 'am' : 'pm'}`;
  const time = clock === '12pm' ? 'midday' : clock === '12am' ? 'midnight' : clock;
  return `${time} on ${UK_DATE.format(at).replace(',', '')} (UK time)`;
}

const named = (p: Procurement) => (p.reference ? `${p.title} (${p.reference})` : p.title);

function contactLines(contact: Contact): string[] {
  const who = [contact.name, contact.email].filter(Boolean).join(', ');
  return who ? [`If you have a question, contact ${who} at ${contact.council}.`] : [`If you have a question, contact ${contact.council}.`];
}

export type Email = { subject: string; text: string };

export function invitationEmail({ procurement, supplierName, respondUrl, deadline, contact }: { procurement: Procurement; supplierName: string; respondUrl: string; deadline: Date; contact: Contact }): Email {
  return {
    subject: `${contact.council} invites you to answer an AI due diligence questionnaire: ${procurement.title}`,
    text: [
      `Dear ${supplierName},`,
      '',
      `${contact.council} invites you to answer its due diligence questionnaire for ${named(procurement)}.`,
      '',
      `Answer by ${ukDeadline(deadline)}.`,
      '',
      'Open your questionnaire with this link:',
      respondUrl,
      '',
      'The link is for your organisation only. Anyone who has it can answer for you, so do not forward it outside your bid team. Your answers are saved as you go; you can come back to them until you submit.',
      '',
      ...contactLines(contact),
    ].join('\n'),
  };
}

export function newLinkEmail({ procurement, supplierName, respondUrl, deadline, contact }: { procurement: Procurement; supplierName: string; respondUrl: string; deadline: Date; contact: Contact }): Email {
  return {
    subject: `A new link for your questionnaire: ${procurement.title}`,
    text: [
      `Dear ${supplierName},`,
      '',
      `${contact.council} has issued a new link for your questionnaire for ${named(procurement)}. The old link no longer works. Your answers so far are kept.`,
      '',
      respondUrl,
      '',
      `Answer by ${ukDeadline(deadline)}.`,
      '',
      ...contactLines(contact),
    ].join('\n'),
  };
}

export function reminderEmail({ procurement, supplierName, deadline, outstanding, contact }: { procurement: Procurement; supplierName: string; deadline: Date; outstanding: number; contact: Contact }): Email {
  return {
    subject: `Reminder: your questionnaire for ${procurement.title} is due by ${ukDeadline(deadline)}`,
    text: [
      `Dear ${supplierName},`,
      '',
      `This is a reminder that your answers to ${contact.council}'s questionnaire for ${named(procurement)} are due by ${ukDeadline(deadline)}.`,
      '',
      outstanding > 0
        ? `${outstanding} required ${outstanding === 1 ? 'item is' : 'items are'} still to do before you can submit.`
        : 'Everything required is answered: you can submit now.',
      '',
      'Use the link in your invitation email. If you cannot find it, ask us for a new one.',
      '',
      ...contactLines(contact),
    ].join('\n'),
  };
}

export function deadlineExtendedEmail({ procurement, supplierName, deadline, contact }: { procurement: Procurement; supplierName: string; deadline: Date; contact: Contact }): Email {
  return {
    subject: `More time for your questionnaire: ${procurement.title}`,
    text: [
      `Dear ${supplierName},`,
      '',
      `${contact.council} has given you until ${ukDeadline(deadline)} to answer its questionnaire for ${named(procurement)}.`,
      '',
      'Use the link in your invitation email.',
      '',
      ...contactLines(contact),
    ].join('\n'),
  };
}

export function clarificationEmail({ procurement, supplierName, questionRef, allowAmend, replyBy, contact }: { procurement: Procurement; supplierName: string; questionRef: string; allowAmend: boolean; replyBy: Date | null; contact: Contact }): Email {
  return {
    subject: `${contact.council} has a question about your answer to ${questionRef}: ${procurement.title}`,
    text: [
      `Dear ${supplierName},`,
      '',
      `${contact.council} has asked a clarification question about your answer to ${questionRef} for ${named(procurement)}.`,
      allowAmend ? 'You may also change that answer when you reply.' : 'Your submitted answer stays as it is; your reply is recorded beside it.',
      replyBy ? `Please reply by ${ukDeadline(replyBy)}.` : '',
      '',
      'Read and reply to it with the link in your invitation email.',
      '',
      ...contactLines(contact),
    ]
      .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
      .join('\n'),
  };
}

/** To a colleague the lead supplier added to its bid team: its own link, for its sections only. */
export function teamMemberEmail({
  procurement,
  supplierName,
  memberName,
  sections,
  respondUrl,
  deadline,
  contact,
}: {
  procurement: Procurement;
  supplierName: string;
  memberName: string;
  sections: string[];
  respondUrl: string;
  deadline: Date;
  contact: Contact;
}): Email {
  return {
    subject: `${supplierName} has asked you to answer part of a questionnaire for ${contact.council}: ${procurement.title}`,
    text: [
      `Dear ${memberName},`,
      '',
      `${supplierName} has added you to its bid team for ${contact.council}'s due diligence questionnaire for ${named(procurement)}.`,
      '',
      `You can answer ${sections.length === 1 ? 'this section' : 'these sections'}:`,
      ...sections.map((title) => `- ${title}`),
      '',
      'Open them with this link:',
      respondUrl,
      '',
      `The link is for you only; do not forward it. Your answers are saved as you go. ${supplierName} checks the whole response and submits it by ${ukDeadline(deadline)}.`,
      '',
      `If you have a question about what to answer, ask the person at ${supplierName} who added you.`,
    ].join('\n'),
  };
}
