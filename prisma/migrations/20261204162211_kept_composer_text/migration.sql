-- CreateTable
CREATE TABLE "KeptComposerText" (
    "userId" TEXT NOT NULL,
    "page" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "keptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KeptComposerText_pkey" PRIMARY KEY ("userId","page")
);

-- CreateIndex
CREATE INDEX "KeptComposerText_keptAt_idx" ON "KeptComposerText"("keptAt");

-- AddForeignKey
ALTER TABLE "KeptComposerText" ADD CONSTRAINT "KeptComposerText_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

