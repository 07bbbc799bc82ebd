-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "subscriptionId" TEXT;

-- CreateTable
CREATE TABLE "CalendarSubscription" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "refreshMinutes" INTEGER NOT NULL DEFAULT 60,
    "nextRefreshAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "lastError" TEXT,
    "lastReport" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CalendarSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CalendarSubscription_userId_createdAt_idx" ON "CalendarSubscription"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "CalendarSubscription_nextRefreshAt_idx" ON "CalendarSubscription"("nextRefreshAt");

-- CreateIndex
CREATE INDEX "Event_subscriptionId_uid_idx" ON "Event"("subscriptionId", "uid");

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "CalendarSubscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CalendarSubscription" ADD CONSTRAINT "CalendarSubscription_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

