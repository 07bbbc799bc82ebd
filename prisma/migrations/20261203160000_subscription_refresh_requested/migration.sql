-- AlterTable
ALTER TABLE "CalendarSubscription" ADD COLUMN "refreshRequestedAt" TIMESTAMP(3);
